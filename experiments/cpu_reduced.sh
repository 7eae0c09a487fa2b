#!/usr/bin/env bash
# The reduced CPU runs behind the CIFAR-10 tables (no GPU was available). Same protocol for every row:
# 10,000 training images (the same subset: data seed 0), 10 epochs, cosine lr 0.1, batch 128, wd 5e-4,
# tested after epochs 5 and 10 on all 10,000 test images (and the 1,017 exact ones); seeds 0, 1, 2.
# Each group can be run on its own: bash experiments/cpu_reduced.sh baseline
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
P="--dataset cifar10 --limit-train 10000 --epochs 10 --eval-every 5 --bs 128 --lr 0.1 --schedule cosine --wd 5e-4"
group=${1:-all}
if [[ $group == baseline || $group == all ]]; then
  $PY tools/sweep.py baseline-cpu r20-gapfc -- $P --arch resnet20 --head gapfc
  $PY tools/sweep.py baseline-cpu r56-gapfc -- $P --arch resnet56 --head gapfc
fi
if [[ $group == saol || $group == all ]]; then
  $PY tools/sweep.py saol-cpu r20-saol -- $P --arch resnet20 --head saol
  $PY tools/sweep.py saol-cpu r56-saol -- $P --arch resnet56 --head saol
fi
if [[ $group == ablation || $group == all ]]; then   # GAP-FC and SAOL rows: the baseline and saol groups above
  $PY tools/sweep.py ablation-cpu r20-gapfc-cutmix -- $P --arch resnet20 --head gapfc --cutmix 0.5
  $PY tools/sweep.py ablation-cpu r20-saol-cutmix -- $P --arch resnet20 --head saol --cutmix 0.5
  $PY tools/sweep.py ablation-cpu r20-saol-cutmix-ss -- $P --arch resnet20 --head saol --cutmix 0.5 --ss1 1 --ss2 1
  $PY tools/sweep.py ablation-cpu r20-saol-cutmix-ss-sd -- $P --arch resnet20 --head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5
fi
