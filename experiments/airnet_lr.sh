#!/usr/bin/env bash
# A CPU-scale starting point for the airbench preset's learning rate (notebook 12a, issue 16's moonshot): airnet_small
# + SAOL on 10,000 real CIFAR-10 training images, 8 epochs at batch 256, one-cycle, label smoothing 0.2, scored on
# 2,000 test images, one seed per learning rate. Not a tuning of the GPU recipe (full airnet, 50,000 images, batch
# 1,024, 10 epochs): only which order of magnitude trains at all. CPU, one thread a run, two runs at a time: ~10 min.
# Results: results/airnet-lr/lr-LR.json (metrics.json of each run, with its command). Runs go to runs/airnet-lr/, and an
# existing run there is an error, never overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
SL=${SL:-.venv/bin/saol_lite}
LRS=(${LRS:-0.2 0.4 0.8})
cmd() { echo "saol_lite train --dataset cifar10 --arch airnet_small --head saol --epochs 8 --bs 256 --lr ${1#lr-} --schedule onecycle" \
              "--label-smoothing 0.2 --limit-train 10000 --limit-test 2000 --eval-every 4 --no-progress --out runs/airnet-lr/$1"; }   # NAME: lr-LR
KEPT=results/airnet-lr
source experiments/kept_runs.sh   # keep NAME, run NAME
if [[ ${1:-} == commands ]]; then for lr in "${LRS[@]}"; do cmd "lr-$lr"; done; exit; fi   # what `run` would train
if [[ ${1:-} == keep ]]; then shift; for lr in "$@"; do keep "lr-$lr"; done; exit; fi   # copy finished runs again
for lr in "${LRS[@]}"; do run "lr-$lr" & (( $(jobs -r | wc -l) < 2 )) || wait -n; done; wait
ls results/airnet-lr
