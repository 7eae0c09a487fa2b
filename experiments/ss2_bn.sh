#!/usr/bin/env bash
# Which BatchNorm treatment for L_ss2's clean forward (notebook 09)? keep (running statistics untouched) against
# update (the clean batch moves them too, as before), on the synthetic data, ResNet-8 + the full SAOL recipe, the
# demo budget (300 steps), scored on a held-out split of 1,000 training images and on the test set. CPU, ~7 min.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
COMMON=(--dataset synthetic --arch resnet8 --head saol --limit-train 4800 --holdout 1000 --epochs 4 --bs 64 --lr 0.1
        --schedule onecycle --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5)
for bn in keep update; do
  $PY tools/sweep.py --seeds 0,1,2,3,4 ss2bn-synthetic "r8-full-bn-$bn" -- "${COMMON[@]}" --ss2-bn "$bn"
done
