#!/usr/bin/env bash
# Does the airbench preset's training still train with the tricks built for it (notebooks 03_train, 12)? A CPU-scale
# check in the protocol of airnet_lr.sh (airnet_small + SAOL, 10,000 real CIFAR-10 training images, 8 epochs at batch
# 256, lr 0.4, one-cycle, label smoothing 0.2, 2,000 test images, one seed): `bn` adds airbench's batch-norm settings
# (scales kept at 1, batch norm's shifts at 64x the learning rate); `all` adds Lookahead every 5 steps and multi-crop TTA
# to them; `more` adds to those airbench's triangular schedule (its --schedule triangle comes after the protocol's
# --schedule onecycle on the command line, and the last one wins), batch-norm momentum 0.4 and the whitening bias held
# after 3 epochs. One seed a variant: whether a variant trains at all, not what a trick buys (that is gpu_speed.sh's
# air-tricks stage, 3 seeds on the full recipe). CPU, one thread a run, all the variants asked for at once: ~5 min each on a free core.
# Results: results/airnet-tricks/VARIANT.json (metrics.json of each run, with its command); runs go to
# runs/airnet-tricks/, and an existing run there is an error, never overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
SL=${SL:-.venv/bin/saol_lite}
VARIANTS=(${VARIANTS:-bn all more})
BN='--no-bn-scales --bn-lr 64'; ALL="$BN --lookahead 5 --tta --tta-shift 1"   # each variant adds to the one before
declare -A EXTRA=([bn]="$BN" [all]="$ALL" [more]="$ALL --schedule triangle --bn-momentum 0.4 --whiten-bias-epochs 3")
cmd() { echo "saol_lite train --dataset cifar10 --arch airnet_small --head saol --epochs 8 --bs 256 --lr 0.4 --schedule onecycle" \
              "--label-smoothing 0.2 --limit-train 10000 --limit-test 2000 --eval-every 4 --no-progress ${EXTRA[$1]} --out runs/airnet-tricks/$1"; }
KEPT=results/airnet-tricks
source experiments/kept_runs.sh   # keep NAME, run NAME
if [[ ${1:-} == commands ]]; then for v in "${VARIANTS[@]}"; do cmd "$v"; done; exit; fi   # what `run` would train
if [[ ${1:-} == keep ]]; then shift; for v in "$@"; do keep "$v"; done; exit; fi          # copy finished runs again
for v in "${VARIANTS[@]}"; do [[ -v EXTRA[$v] ]] || { echo "unknown variant $v: choose from ${!EXTRA[*]}"; exit 2; }; done
for v in "${VARIANTS[@]}"; do run "$v" & done; wait
ls results/airnet-tricks
