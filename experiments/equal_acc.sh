#!/usr/bin/env bash
# Maps at (nearer) equal accuracy (notebook 07c): at notebook 17's synthetic budget (5 epochs) GAP-FC reaches ~49%
# against SAOL's ~89%, so their localisation scores mix "looks elsewhere" with "learnt less". Here GAP-FC trains
# EPOCHS epochs (default 20, four times the budget), everything else as in `compare.sh synthetic` (ResNet-8, 6,000
# images, one-cycle lr 0.05, batch 64, 3 seeds), and its CAM is scored the same way on the same 2,000 test images.
# CPU, one thread: ~7 min for 20 epochs. Results: results/equal-acc-e$EPOCHS/ (read by notebook 07c).
set -euo pipefail
cd "$(dirname "$0")/.."
source <(sed -n '/^keep()/,/^}/p' experiments/compare.sh)     # the same copy of metrics and map scores
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
SL=${SL:-.venv/bin/saol_lite}
PY=${PY:-.venv/bin/python}
EPOCHS=${EPOCHS:-20}
$SL compare --dataset synthetic --arch resnet8 --limit-train 6000 --epochs "$EPOCHS" --bs 64 --lr 0.05 --schedule onecycle \
            --methods gapfc --out "runs/equal-acc-e$EPOCHS" "$@"
keep "equal-acc-e$EPOCHS" "equal-acc-e$EPOCHS"
