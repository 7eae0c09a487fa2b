#!/usr/bin/env bash
# The GPU tables of issues 4 and 5 (SAOL vs GAP-FC on ResNet-20 and -56; the ResNet-56 ablation), on one GPU.
# Protocol, the same for every row: full CIFAR-10 (50,000 training images), EPOCHS epochs, batch BS, cosine lr LR
# after WARMUP epochs of linear warm-up, Nesterov momentum 0.9, wd 5e-4, tested on all 10,000 test images and the
# 1,017 exact ones; seeds 0, 1, 2; the fast path (bf16 autocast, channels-last, data on the GPU). The runs share
# the GPU, N at a time: their `seconds` are shared-GPU seconds. The results in results/*-gpu/ were made with
#   EPOCHS=30 BS=512 LR=0.4 WARMUP=1 N=8 on one H100 (19 minutes; benchmarks/RESULTS.md tells how it was sized).
# The data travel in the three parts of ../shared/tools/gpu-data-parts (one device call each), then:
#
#   bash experiments/gpu.sh data K            # copy part K of ../shared/tools/gpu-data-parts into $DATA
#   bash experiments/gpu.sh info              # the machine: nvidia-smi, torch, CUDA
#   bash experiments/gpu.sh smoke             # one tiny run end to end (synthetic), the full recipe
#   bash experiments/gpu.sh probe BUDGET_S    # images/s of each row with N running at once -> epochs that fit BUDGET_S
#   bash experiments/gpu.sh bench             # the throughput benchmark of notebook 12 (needs the GPU to itself)
#   bash experiments/gpu.sh start             # the sweep, in the background, from a copy of the repo in $WORK
#   bash experiments/gpu.sh wait SECONDS      # wait for the sweep (at most SECONDS), then pack the results into $OUT
#   EPOCHS=30 N=8 bash experiments/gpu.sh jobs   # print the sweep's commands (what `start` runs)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
DATA=${DATA:-/tmp/cifar10}
WORK=${WORK:-/tmp/gpu}
N=${N:-8}
OUT=${OUT:-$WORK/out}
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1 PYTHONPATH="$(pwd)${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$WORK" "$OUT"
ROWS=(  # group tag flags (ResNet-56 first: the ablation; then ResNet-20 for issue 4)
  "baseline-gpu r56-gapfc --arch resnet56 --head gapfc"
  "saol-gpu r56-saol --arch resnet56 --head saol"
  "ablation-gpu r56-gapfc-cutmix --arch resnet56 --head gapfc --cutmix 0.5"
  "ablation-gpu r56-saol-cutmix --arch resnet56 --head saol --cutmix 0.5"
  "ablation-gpu r56-saol-cutmix-ss --arch resnet56 --head saol --cutmix 0.5 --ss1 1 --ss2 1"
  "ablation-gpu r56-saol-cutmix-ss-sd --arch resnet56 --head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5"
  "baseline-gpu r20-gapfc --arch resnet20 --head gapfc"
  "saol-gpu r20-saol --arch resnet20 --head saol"
)
flags_to_settings() {  # "--arch resnet56 --head saol --cutmix 0.5" -> "head=saol cutmix=0.5" (the probe's form)
  local out=() a=($1); for ((i = 0; i < ${#a[@]}; i += 2)); do [[ ${a[i]} == --arch ]] || out+=("${a[i]#--}=${a[i+1]}"); done
  echo "${out[@]}"
}
case ${1:-} in
  data)
    mkdir -p "$DATA"; cp .gpudata/p$2/* "$DATA"/; ls -l "$DATA" ;;
  info)
    nvidia-smi || true; $PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())' ;;
  smoke)
    $PY -m saol_lite train --dataset synthetic --limit-train 512 --limit-test 256 --epochs 2 --eval-every 1 --arch resnet8 \
        --head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5 --no-progress --out "$WORK/smoke"
    $PY -c "import json; m = json.load(open('$WORK/smoke/metrics.json')); print('smoke:', m['status'], m['device_name'], m['test_acc'])" ;;
  probe)
    budget=$2; mkdir -p "$WORK/probe"; i=0
    for row in "${ROWS[@]}"; do
      r=($row); arch=${r[3]}
      $PY tools/gpu_probe.py --arch "$arch" --bs ${BS:-128} --seconds ${PROBE_S:-25} $(flags_to_settings "${r[*]:2}") > "$WORK/probe/${r[1]}.json" &
      i=$((i + 1)); [[ $i -lt $N ]] || { wait; i=0; }
    done; wait
    cat "$WORK"/probe/*.json
    $PY - "$WORK/probe" "$budget" "$N" > "$WORK/epochs" <<'PY'
import json, math, sys
from pathlib import Path
probe, budget, n = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
ips = {p.stem: json.loads(p.read_text())['img_s'] for p in probe.glob('*.json')}
per_epoch = sum(3*50_000/v for v in ips.values())        # seconds of one epoch of every run (3 seeds), alone
est = lambda e: 1.15*e*per_epoch/n + 3*40                 # the queue's seconds: shared N ways, + start-up and tests
e = 30 if est(30) <= budget else max(5, math.floor((budget - 120)/(1.15*per_epoch/n)))
print(e)
print(f'probe: {n} at once; one epoch of all 24 runs = {per_epoch/n:.0f} s shared {n} ways; '
      f'30 epochs ~ {est(30)/60:.1f} min; budget {budget/60:.1f} min -> EPOCHS={e} (~{est(e)/60:.1f} min)', file=sys.stderr)
PY
    echo "EPOCHS=$(cat "$WORK/epochs")" ;;
  bench)
    $PY -m saol_lite bench --workers 8 --data synthetic --steps 10 --runs 3 --warmup 1 | tee "$OUT/bench.md" ;;
  jobs)
    E=${EPOCHS:-$(cat "$WORK/epochs" 2>/dev/null || echo 30)}; EV=$(( E == 30 ? 10 : E ))
    P="--dataset cifar10 --data-dir $DATA --epochs $E --eval-every $EV --bs ${BS:-128} --lr ${LR:-0.1} --warmup ${WARMUP:-0} --schedule cosine --wd 5e-4"
    for s in 0 1 2; do for row in "${ROWS[@]}"; do r=($row); echo "--seeds $s ${r[0]} ${r[1]} -- $P ${r[*]:2}"; done; done ;;
  start)
    rm -rf "$WORK/repo"; mkdir -p "$WORK/repo"
    tar --exclude=./.gpudata --exclude=./.git --exclude=./.venv --exclude=./runs -cf - . | tar -xf - -C "$WORK/repo"
    bash "$0" jobs > "$WORK/jobs"; cat "$WORK/jobs"
    rm -f "$WORK/queue.done"
    setsid nohup bash -c '
      cd "$0/repo"; mkdir -p logs
      while read -r line; do
        while [ "$(jobs -rp | wc -l)" -ge "$1" ]; do wait -n || true; done
        tag=$(echo "$line" | cut -d" " -f4)-s$(echo "$line" | cut -d" " -f2)
        (echo "start $tag $(date +%T)"; $2 tools/sweep.py $line > logs/$tag.log 2>&1; echo "end $tag rc=$? $(date +%T)") &
        sleep 2
      done < "$0/jobs"
      wait; touch "$0/queue.done"' "$WORK" "$N" "$PY" > "$WORK/queue.log" 2>&1 < /dev/null &
    sleep 5; cat "$WORK/queue.log" ;;
  wait)
    t0=$(date +%s)
    while [[ ! -e $WORK/queue.done ]] && (( $(date +%s) - t0 < $2 )); do sleep 10; done
    cat "$WORK/queue.log"; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv || true
    ls "$WORK"/repo/results/*-gpu 2>/dev/null | head -40
    tar -czf "$OUT/gpu-results.tgz" -C "$WORK/repo" $(cd "$WORK/repo" && ls -d results/*-gpu logs 2>/dev/null) -C "$WORK" queue.log jobs probe epochs 2>/dev/null || true
    ls -l "$OUT" ;;
  *) echo "usage: $0 data K | info | smoke | probe BUDGET_S | bench | start | wait SECONDS | jobs"; exit 2 ;;
esac
