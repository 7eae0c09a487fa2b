#!/usr/bin/env bash
# Issue 16's GPU measurements, as stages in priority order. A short slot runs the stages its minutes allow; a stage
# whose results are already in results/gpu-speed/ (committed after an earlier slot) is skipped, so the next slot
# picks up the stages still pending. Run it AFTER `gpu_run.sh run` (the decisive test comes first), in a later call:
#
#   carry [".gpudata/p3"] (or the three data calls again if the machine went back):
#       bash experiments/gpu_run.sh data 3 && bash experiments/gpu_speed.sh run          (timeout_s 600)
#   back here:  bash experiments/gpu_speed.sh unpack FILES_AT     -> results/gpu-speed/ (commit it)
#
# Stages (each one `saol_lite bench` table, with its command and the machine in its header):
#   tta          ResNet-18 + SAOL, the speedrun preset, to accuracy: 3 seeds on the full training set (exact 1,017 and
#                all 10,000 test images), and 3 seeds with --holdout 5000 (the decisive test's split)
#   moonshot     notebook 12a's airbench-style network to 94%, the airbench preset: GAP-FC and SAOL heads, 3 seeds each,
#                in the same call (the stretch target: SAOL >= 94% on the exact split in <= 5 s); SAOL compiled; SAOL at
#                half and twice the preset's untuned learning rate, and with airbench's own learning rate, momentum and
#                weight decay (1.5, 0.85, 1.33e-3 for a mean loss; airbench also decays batch-norm shifts and the
#                whitening bias, the course does not), one seed each: a hint for tuning, not a comparison
#   ops          operators and CUDA kernels per step, 4 recipes x {ResNet-20, ResNet-56, ResNet-18}, fast and lesson parts
#   compiled-r18, compiled-r20, compiled-r56
#                the step table (5 runs of 20 steps after warm-up, CUDA events, MFU against the bf16 peak measured in
#                the same run), eager against --compile on and --compile reduce-overhead, both with --compile-scope step
#   tricks       what each trick of the speedrun buys: time to accuracy without EMA, without TTA, without label
#                smoothing, at batch 256, with a cosine schedule (3 seeds each)
#   air-tricks   what each airbench trick of the airbench preset buys (SAOL, 3 seeds each): without Lookahead, without
#                multi-crop TTA (flip TTA only), with batch norm as elsewhere in the course (scales trained, shifts
#                at the weights' learning rate), with the whitening bias trained throughout, with PyTorch's batch-norm
#                momentum (0.1), and with the one-cycle schedule instead of airbench's triangle
#   full         the eager protocol with the DataLoader reference (8 workers), all recipes and backbones
#   bash experiments/gpu_speed.sh run ops tta     # only the stages named, in the order given
# SPEED_BUDGET (default 540 s) bounds the whole call: a stage starts only if its estimate fits what is left, and is
# stopped at the deadline (its partial table is kept as STAGE.partial.md, never as a result).
# DRY=1: every stage on a CPU at a tiny scale (synthetic data, ResNet-8, one step, compile backend eager), so that no
# GPU minute is lost to a typo (tests/test_experiments.py runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
SL=("$PY" -m saol_lite)
DATA=${DATA:-/tmp/cifar10}
OUT=${OUT:-/tmp/gpu_speed/out}
DONE=${DONE:-results/gpu-speed}
BUDGET=${SPEED_BUDGET:-540}
STAGES=(tta moonshot ops compiled-r18 compiled-r20 compiled-r56 tricks air-tricks full)
declare -A EST=([tta]=200 [moonshot]=230 [ops]=60 [compiled-r18]=150 [compiled-r20]=150 [compiled-r56]=200 [tricks]=450 [air-tricks]=300 [full]=400)   # seconds, guessed
SEEDS=(0 1 2)
DEV=cuda; ARCHS=(resnet20 resnet56 resnet18); BENCH=(--data cifar10 --bs 512); STEPS=(--steps 20 --runs 5 --warmup 2)
TTA_SET=(data_dir="$DATA"); AIR_SET=(data_dir="$DATA"); COMPILED=(on reduce-overhead); WORKERS=8; HALF_BATCH='bs=256 lr=0.2'   # the speedrun's batch and lr, halved
if [[ ${DRY:-0} == 1 ]]; then
  DEV=cpu; ARCHS=(resnet8); BENCH=(--data synthetic --n-train 64 --bs 16); STEPS=(--steps 1 --runs 1 --warmup 0)
  TTA_SET=(dataset=synthetic arch=resnet8 epochs=1 bs=16 limit_train=64 limit_test=32 eval_every=1); SEEDS=(0)
  # a dry airbench run has 4 steps: the preset's Lookahead every 5 would be longer than the run (an error), so every 2
  AIR_SET=(dataset=synthetic arch=airnet_small epochs=1 bs=16 limit_train=64 limit_test=32 eval_every=1 lookahead=2); COMPILED=(eager); WORKERS=0; HALF_BATCH='bs=8 lr=0.2'
  for s in "${!EST[@]}"; do EST[$s]=1; done
fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} PYTHONUNBUFFERED=1
[[ ${DRY:-0} == 1 ]] || export SAOL_LITE_DATA=${SAOL_LITE_DATA:-$DATA}   # where `bench --data cifar10` looks first (time-to-acc gets data_dir itself)

stage() {  # the commands of stage $1; their Markdown goes to stdout
  case $1 in
    tta)
      "${SL[@]}" bench --mode time-to-acc --preset speedrun --device $DEV --seeds "${SEEDS[@]}" --set "${TTA_SET[@]}"
      "${SL[@]}" bench --mode time-to-acc --preset speedrun --device $DEV --seeds "${SEEDS[@]}" --set "${TTA_SET[@]}" holdout=$([[ ${DRY:-0} == 1 ]] && echo 16 || echo 5000) ;;
    moonshot)   # eager, both heads; SAOL compiled (its warm-up is reported apart); SAOL at half and twice the untuned lr, and
                # with airbench's lr, momentum and wd (converted to a mean loss; its decay of 1-d parameters is not reproduced), seed 0
      for h in gapfc saol; do "${SL[@]}" bench --mode time-to-acc --preset airbench --device $DEV --seeds "${SEEDS[@]}" --set "${AIR_SET[@]}" head=$h; done
      "${SL[@]}" bench --mode time-to-acc --preset airbench --device $DEV --seeds "${SEEDS[@]}" --compile "${COMPILED[0]}" --set "${AIR_SET[@]}" head=saol
      for lr in 0.8 3.2; do "${SL[@]}" bench --mode time-to-acc --preset airbench --device $DEV --seeds 0 --set "${AIR_SET[@]}" head=saol lr=$lr; done
      "${SL[@]}" bench --mode time-to-acc --preset airbench --device $DEV --seeds 0 --set "${AIR_SET[@]}" head=saol lr=1.5 momentum=0.85 wd=0.00133 ;;
    ops)
      "${SL[@]}" bench --mode ops --device $DEV --archs "${ARCHS[@]}" "${BENCH[@]}" ;;
    compiled-r*)
      local a=resnet${1#compiled-r}; [[ ${DRY:-0} == 1 ]] && a=resnet8
      "${SL[@]}" bench --device $DEV --archs $a "${BENCH[@]}" "${STEPS[@]}" --no-reference
      for c in "${COMPILED[@]}"; do "${SL[@]}" bench --device $DEV --archs $a "${BENCH[@]}" "${STEPS[@]}" --no-reference --compile $c --compile-scope step; done ;;
    tricks)
      for s in ema=0 tta=false label_smoothing=0 "$HALF_BATCH" schedule=cosine; do
        # shellcheck disable=SC2086
        "${SL[@]}" bench --mode time-to-acc --preset speedrun --device $DEV --seeds "${SEEDS[@]}" --set "${TTA_SET[@]}" $s
      done ;;
    air-tricks)
      for s in lookahead=0 tta_shift=0 'bn_scales=true bn_lr=1' whiten_bias_epochs=0 bn_momentum=0.1 schedule=onecycle; do
        # shellcheck disable=SC2086
        "${SL[@]}" bench --mode time-to-acc --preset airbench --device $DEV --seeds "${SEEDS[@]}" --set "${AIR_SET[@]}" head=saol $s
      done ;;
    full)
      "${SL[@]}" bench --device $DEV --archs "${ARCHS[@]}" "${BENCH[@]}" "${STEPS[@]}" --workers $WORKERS ;;
    *) echo "unknown stage $1: choose from ${STAGES[*]}" >&2; return 2 ;;
  esac
}

case ${1:-} in
  run)
    shift; todo=("${@:-${STAGES[@]}}"); deadline=$(( $(date +%s) + BUDGET ))
    mkdir -p "$OUT/gpu-speed"
    for s in "${todo[@]}"; do [[ -v EST[$s] ]] || { echo "unknown stage $s: choose from ${STAGES[*]}"; exit 2; }; done
    for s in "${todo[@]}"; do
      if [[ -f $DONE/$s.md ]]; then echo "== $s: done before ($DONE/$s.md)"; continue; fi
      left=$(( deadline - $(date +%s) ))
      if (( left < ${EST[$s]} )); then echo "== $s: pending (needs ~${EST[$s]} s, $left s left)"; continue; fi
      echo "== $s ($left s left)"
      if timeout "$left" bash "$0" stage "$s" > "$OUT/gpu-speed/$s.tmp" 2> "$OUT/gpu-speed/$s.err"; then
        mv "$OUT/gpu-speed/$s.tmp" "$OUT/gpu-speed/$s.md"; rm -f "$OUT/gpu-speed/$s.err"; echo "   done"
      else
        echo "   failed or stopped (rc $?): kept as $s.partial.md, its stderr in $s.err"; mv "$OUT/gpu-speed/$s.tmp" "$OUT/gpu-speed/$s.partial.md"
        tail -c 20000 "$OUT/gpu-speed/$s.err" > "$OUT/gpu-speed/$s.err.tail"; mv "$OUT/gpu-speed/$s.err.tail" "$OUT/gpu-speed/$s.err"
      fi
    done
    ls -l "$OUT/gpu-speed" ;;
  stage) stage "$2" ;;   # one stage's tables on stdout (what `run` times out and keeps)
  unpack)
    d=${2:?name the folder the files of the device call came back in}; mkdir -p "$DONE"
    src=$d; [[ -d $d/gpu-speed ]] && src=$d/gpu-speed
    cp "$src"/*.md "$DONE"/ 2>/dev/null || true; for e in "$src"/*.err; do [[ -f $e ]] && cp "$e" "$DONE"/; done
    ls "$DONE" ;;
  *) echo "usage: $0 run [STAGE ...] | unpack DIR   (stages: ${STAGES[*]})"; exit 2 ;;
esac
