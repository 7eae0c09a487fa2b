#!/usr/bin/env bash
# Does SAOL help? The decisive test of issue 13, written down before any of its results exist (notebook 10_distill
# states the same protocol and rule in words). Run it on a GPU with experiments/gpu_run.sh; this file is the one
# definition of the protocol, which gpu_run.sh sources.
#
# Protocol: CIFAR-10, ResNet-20, 5,000 lossless training images held out (--holdout 5000: stratified, data_seed 0,
# the same images for every run) and never trained on; the 30-epoch GPU recipe of experiments/gpu.sh (batch 512,
# lr 0.4, one warm-up epoch, cosine, wd 5e-4, bf16 autocast on CUDA) but 60 epochs; 5 seeds (0-4) of each of
#   GAP-FC                                              r20-gapfc
#   SAOL + CutMix 0.5 + ss1 = ss2 = 1 + SD beta 0.5     r20-full          (today's defaults, frozen)
#   GAP-FC + CutMix 0.5                                 r20-gapfc-cutmix  (so that a win can be credited to SAOL, not CutMix)
# If the GPU's time allows after that: the SS ablation at the same protocol, 3 seeds (0-2):
#   ss1 only, ss2 only, both at 0.1 (each with CutMix 0.5 and SD 0.5).
# Epochs: 60; cut to 40 if the probe says 60 will not fit the slot (gpu_run.sh says so in its results).
#
# Primary statistic: the held-out accuracy difference, full recipe - GAP-FC, in points, with its 95% interval
# (Welch; and image-paired bootstrap over the 5,000 held-out images).
# Decision: SUPPORTED if the interval's lower end is above 0 and the difference is >= +0.5 points;
#           NOT SUPPORTED AT THIS BUDGET if the upper end is below +0.5; otherwise INCONCLUSIVE (the next GPU adds
#           seeds, not epochs). Secondary: both test splits (all 10,000, the exact 1,017) and NLL.
#
#   bash experiments/decisive.sh jobs      # the sweep's lines for tools/sweep.py (EPOCHS, DATA as gpu_run.sh sets them)
#   bash experiments/decisive.sh report    # the table and the decision from results/decisive-gpu/
set -euo pipefail

DECISIVE_GROUP=decisive-gpu
DECISIVE_SEEDS=${SEEDS:-0,1,2,3,4}
ABLATION_SEEDS=${ABLATION_SEEDS:-0,1,2}
DECISIVE_ROWS=(   # tag flags
  "r20-gapfc --arch resnet20 --head gapfc"
  "r20-full --arch resnet20 --head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5"
  "r20-gapfc-cutmix --arch resnet20 --head gapfc --cutmix 0.5"
)
ABLATION_ROWS=(
  "r20-full-ss1only --arch resnet20 --head saol --cutmix 0.5 --ss1 1 --sd 0.5"
  "r20-full-ss2only --arch resnet20 --head saol --cutmix 0.5 --ss2 1 --sd 0.5"
  "r20-full-ss0.1 --arch resnet20 --head saol --cutmix 0.5 --ss1 0.1 --ss2 0.1 --sd 0.5"
)

decisive_common() {  # the training flags every row shares, for EPOCHS epochs (evaluated three times, and at the end)
  local e=${EPOCHS:-60}
  echo "--dataset ${DATASET:-cifar10} ${DATA:+--data-dir $DATA} --holdout ${HOLDOUT:-5000} --epochs $e --eval-every $(( e >= 3 ? e / 3 : 1 )) --bs ${BS:-512} --lr ${LR:-0.4} --warmup ${WARMUP:-1} --schedule cosine --wd 5e-4 ${EXTRA:-}"
}

decisive_jobs() {  # one line per row for tools/sweep.py: --seeds S GROUP TAG -- FLAGS; ablation rows with ABLATION=1
  local rows=("${DECISIVE_ROWS[@]}") seeds=$DECISIVE_SEEDS
  [[ ${ABLATION:-0} == 1 ]] && { rows=("${ABLATION_ROWS[@]}"); seeds=$ABLATION_SEEDS; }
  for row in "${rows[@]}"; do
    r=($row)
    for s in ${seeds//,/ }; do echo "--seeds $s $DECISIVE_GROUP ${r[0]} -- $(decisive_common) ${r[*]:1}"; done
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  cd "$(dirname "$0")/.."
  case ${1:-} in
    jobs) decisive_jobs ;;
    report) ${PY:-.venv/bin/python} tools/decisive_report.py "results/${2:-$DECISIVE_GROUP}" ;;
    *) echo "usage: $0 jobs | report [GROUP]"; exit 2 ;;
  esac
fi
