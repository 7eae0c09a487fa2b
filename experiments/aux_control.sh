#!/usr/bin/env bash
# The control for self-distillation (notebook 10): does SAOL + SD gain from distillation itself, or from having a
# second supervised head on the backbone? Three groups on the synthetic data, ResNet-8 + SAOL, the demo budget
# (300 steps), 5 seeds each, scored on a held-out split of 1,000 training images and on the test set:
#   saol          SAOL alone
#   saol-aux      SAOL + the auxiliary GAP-FC head trained on the labels only (--aux-head --sd 0: beta = 0)
#   saol-sd       SAOL + self-distillation, beta = 0.5 (the head is trained by the labels and by SAOL's output)
# CPU, one thread a run, two groups at a time: ~6 min on 2 cores. Results: results/aux-control/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
COMMON=(--dataset synthetic --arch resnet8 --head saol --limit-train 4800 --holdout 1000 --epochs 4 --bs 64 --lr 0.1
        --schedule onecycle)
SEEDS=${SEEDS:-0,1,2,3,4}
$PY tools/sweep.py --seeds "$SEEDS" aux-control r8-saol -- "${COMMON[@]}" &
$PY tools/sweep.py --seeds "$SEEDS" aux-control r8-saol-aux -- "${COMMON[@]}" --aux-head --sd 0 &
wait
$PY tools/sweep.py --seeds "$SEEDS" aux-control r8-saol-sd -- "${COMMON[@]}" --sd 0.5
