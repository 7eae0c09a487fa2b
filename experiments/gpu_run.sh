#!/usr/bin/env bash
# Whenever a GPU can be had, run this first: the decisive test of experiments/decisive.sh (SAOL's full recipe vs
# GAP-FC vs GAP-FC + CutMix, ResNet-20, CIFAR-10 with 5,000 held-out training images, 5 seeds), in one short slot.
# Device calls, back to back (CIFAR-10 travels in the three parts of ../shared/tools/gpu-data-parts, made here first):
#
#   1. carry [".gpudata/p1"]:  bash experiments/gpu_run.sh data 1
#   2. carry [".gpudata/p2"]:  bash experiments/gpu_run.sh data 2
#   3. carry [".gpudata/p3"]:  bash experiments/gpu_run.sh data 3 && bash experiments/gpu_run.sh run     (timeout_s 600)
#
# `run` (at most ~9 minutes): the machine's facts; a smoke run; a 20-second probe of the three recipes running at
# once, which sizes the sweep (60 epochs, or 40 if 60 will not fit BUDGET seconds, said in plan.json; the SS ablation
# of decisive.sh only if it fits too); the sweep, all runs sharing the GPU, writing results as each run ends; at the
# deadline, whatever is unfinished is stopped and listed; checkpoints stripped to weights; everything packed in $OUT.
# Back here:  bash experiments/gpu_run.sh unpack FILES_AT   -> results/decisive-gpu/ (commit it), weights in runs/.
# Then:       bash experiments/decisive.sh report            -> the table and the decision.
# After it, in a later call: experiments/gpu_speed.sh (issue 16's speed measurements, stages in priority order;
#   a slot runs the stages its minutes allow and the next one picks up those still pending).
#
# DRY=1 runs all of `run` on a CPU at a tiny scale (synthetic data, 2 epochs of 2 steps, one seed): the test
# tests/test_experiments.py does so, so that no GPU minute is ever spent on a typo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source experiments/decisive.sh
PY=${PY:-python3}
[[ $PY == */* ]] && PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"   # absolute: the steps run from other folders
DATA=${DATA:-/tmp/cifar10}
WORK=${WORK:-/tmp/gpu_run}
OUT=${OUT:-$WORK/out}
BUDGET=${BUDGET:-420}          # seconds for the sweep itself: with ~2 min of smoke, probe, grace and packing, `run` ends inside a 10-minute call
PROBE_S=${PROBE_S:-20}
CANDIDATES=${CANDIDATES:-"60 40"}
N_TRAIN=${N_TRAIN:-45000}      # 50,000 - the 5,000 held out
OVERHEAD=${OVERHEAD:-45}       # seconds a run spends outside its epochs (start-up, data to the GPU, evaluations)
MAX_AT_ONCE=${MAX_AT_ONCE:-16}
if [[ ${DRY:-0} == 1 ]]; then  # the same steps on a CPU, tiny
  export DATASET=synthetic HOLDOUT=64 BS=16 EXTRA="--limit-train 32 --limit-test 32 --eval-bs 64 --device cpu"
  unset DATA; DECISIVE_SEEDS=${DRY_SEEDS:-0,1}; ABLATION_SEEDS=0; MAX_AT_ONCE=3
  CANDIDATES=${DRY_CANDIDATES:-"2 1"}; N_TRAIN=32; OVERHEAD=5; PROBE_S=1; BUDGET=${BUDGET_DRY:-600}
fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} PYTHONUNBUFFERED=1
mkdir -p "$WORK" "$OUT"

repo_copy() {  # the sweep runs in a copy, so that a dry run never writes into this checkout's results/
  rm -rf "$WORK/repo"; mkdir -p "$WORK/repo"
  tar --exclude=./.gpudata --exclude=./.git --exclude=./.venv --exclude=./runs --exclude=./results/$DECISIVE_GROUP -cf - . | tar -xf - -C "$WORK/repo"
}

machine() {
  $PY - <<'PY'
import json, os, platform, subprocess, time, torch
drv = subprocess.run(['nvidia-smi', '--query-gpu=driver_version,name', '--format=csv,noheader'], capture_output=True, text=True) \
      if torch.cuda.is_available() else None
print(json.dumps(dict(date=time.strftime('%Y-%m-%d %H:%M:%S %Z'), torch=torch.__version__, cuda=torch.version.cuda,
                      device=torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu',
                      driver=drv.stdout.strip().split(',')[0] if drv and drv.returncode == 0 else None,
                      python=platform.python_version(), host_cpus=os.cpu_count())))
PY
}

probe() {  # images/s of each recipe, all running at once as the sweep will (COPIES of each)
  local copies=${COPIES:-5} pids=()
  mkdir -p "$WORK/probe"; rm -f "$WORK"/probe/*.json
  for row in "${DECISIVE_ROWS[@]}"; do
    r=($row); settings=$(echo "${r[*]:1}" | $PY -c "import sys; a = sys.stdin.read().split(); print(' '.join(f'{a[i][2:]}={a[i+1]}' for i in range(0, len(a), 2) if a[i] != '--arch'))")
    for c in $(seq 1 "$copies"); do
      $PY tools/gpu_probe.py --arch resnet20 --bs "${BS:-512}" --seconds "$PROBE_S" --steps 5 $settings > "$WORK/probe/${r[0]}-$c.json" &
      pids+=($!)
    done
  done
  for p in "${pids[@]}"; do wait "$p"; done
}

plan() {  # epochs and rows from the probe: writes $WORK/plan.json and prints EPOCHS ABLATION
  $PY - "$WORK/probe" "$BUDGET" "$N_TRAIN" "$OVERHEAD" "$CANDIDATES" ${#DECISIVE_ROWS[@]} ${#ABLATION_ROWS[@]} \
       "$(echo "$DECISIVE_SEEDS" | tr ',' ' ' | wc -w)" "$(echo "$ABLATION_SEEDS" | tr ',' ' ' | wc -w)" > "$WORK/plan.json" <<'PY'
import json, sys
from pathlib import Path
probe, budget, n_train, overhead = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cands, rows, arows, seeds, aseeds = [int(e) for e in sys.argv[5].split()], int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
ips = [json.loads(p.read_text())['img_s'] for p in sorted(probe.glob('*.json'))]
agg = sum(ips)                                               # the GPU's images/s with that many runs sharing it
need = lambda e, runs: overhead + 1.1*runs*e*n_train/agg     # all runs at once; 10% for what the probe does not see
epochs = next((e for e in cands if need(e, rows*seeds) <= budget), None)
note = ''
if epochs is None:
    epochs = max(1, int((budget - overhead)*agg/(1.1*rows*seeds*n_train)))
    note = f'neither {cands} epochs fit the {budget:.0f} s budget: cut to {epochs}'
elif epochs != cands[0]: note = f'{cands[0]} epochs would not fit the {budget:.0f} s budget ({need(cands[0], rows*seeds):.0f} s): cut to {epochs}'
ablation = need(epochs, rows*seeds + arows*aseeds) <= budget
print(json.dumps(dict(epochs=epochs, ablation=ablation, note=note, probe_img_s=ips, aggregate_img_s=round(agg),
                      estimate_s=round(need(epochs, rows*seeds + (arows*aseeds if ablation else 0))), budget_s=budget), indent=1))
PY
  cat "$WORK/plan.json" >&2
  $PY -c "import json; p = json.load(open('$WORK/plan.json')); print(p['epochs'], int(p['ablation']))"
}

sweep() {  # every job at once (at most MAX_AT_ONCE), stopped at the deadline; results land in $WORK/repo/results as runs end
  local deadline=$(( $(date +%s) + BUDGET + 30 )) pids=()
  cd "$WORK/repo"; mkdir -p logs
  while read -r line; do
    while [[ $(jobs -rp | wc -l) -ge $MAX_AT_ONCE ]]; do wait -n || true; done
    tag=$(echo "$line" | cut -d' ' -f4)-s$(echo "$line" | cut -d' ' -f2)
    (echo "start $tag $(date +%T)"; PYTHONPATH="$WORK/repo" $PY tools/sweep.py $line > "logs/$tag.log" 2>&1; echo "end $tag rc=$? $(date +%T)") &
    pids+=($!)
  done < "$WORK/jobs"
  while [[ -n $(jobs -rp) ]] && (( $(date +%s) < deadline )); do sleep 2; done
  if [[ -n $(jobs -rp) ]]; then
    echo "deadline: stopping $(jobs -rp | wc -l) unfinished job(s)"; pkill -f "saol_lite train.*--out runs/$DECISIVE_GROUP" || true; sleep 2
  fi
  wait || true
  cd "$ROOT"
}

strip_weights() {  # last.pt (weights, optimiser, RNG) -> weights only, as load_model reads them
  $PY - "$WORK/repo/runs/$DECISIVE_GROUP" "$WORK/weights" <<'PY'
import sys, torch
from pathlib import Path
src, dst = Path(sys.argv[1]), Path(sys.argv[2]); dst.mkdir(parents=True, exist_ok=True)
for ck in sorted(src.glob('*/last.pt')):
    c = torch.load(ck, map_location='cpu', weights_only=True)
    if c.get('epoch') != c['config']['epochs']: print('unfinished, not kept:', ck.parent.name); continue
    torch.save({k: c[k] for k in ('model', 'config', 'classes', 'stats', 'epoch', 'torch', 'version') if k in c}, dst/f'{ck.parent.name}.pt')
print('weights kept:', len(list(dst.glob('*.pt'))))
PY
}

case ${1:-} in
  data)
    [[ -d .gpudata/p$2 ]] || { echo "no .gpudata/p$2: run ../shared/tools/gpu-data-parts here first, and carry it"; exit 1; }
    mkdir -p "$DATA"; cp .gpudata/p$2/* "$DATA"/; ls -l "$DATA" ;;
  run)
    t0=$(date +%s)
    machine | tee "$WORK/machine.json"
    repo_copy
    echo "== smoke"; (cd "$WORK/repo" && PYTHONPATH="$WORK/repo" $PY -m saol_lite train --dataset synthetic --limit-train 64 --limit-test 32 --holdout 16 \
        --epochs 1 --bs 16 --arch resnet8 --head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5 --no-progress --out "$WORK/smoke" $([[ ${DRY:-0} == 1 ]] && echo --device cpu) > "$WORK/smoke.log" 2>&1) \
        || { cat "$WORK/smoke.log"; exit 1; }
    echo "== probe ($PROBE_S s)"; (cd "$WORK/repo" && PYTHONPATH="$WORK/repo" COPIES=${COPIES:-$([[ ${DRY:-0} == 1 ]] && echo 1 || echo 5)} probe)
    read -r EPOCHS ABL < <(plan); export EPOCHS
    { decisive_jobs; [[ $ABL == 1 ]] && ABLATION=1 decisive_jobs; } > "$WORK/jobs"
    echo "== sweep: $(wc -l < "$WORK/jobs") runs of $EPOCHS epochs (ablation: $ABL), budget $BUDGET s"; cat "$WORK/jobs"
    sweep
    echo "== strip"; strip_weights
    res="$WORK/repo/results/$DECISIVE_GROUP"; mkdir -p "$res"
    cp "$WORK/machine.json" "$WORK/plan.json" "$WORK/jobs" "$res/"; mkdir -p "$res/probe"; cp "$WORK"/probe/*.json "$res/probe/"
    cat "$WORK"/repo/logs/*.log > "$res/sweep.log" 2>/dev/null || true
    tar -czf "$OUT/decisive-results.tgz" -C "$WORK/repo/results" "$DECISIVE_GROUP"
    for row in "${DECISIVE_ROWS[@]}" "${ABLATION_ROWS[@]}"; do   # one file a row: each comes back under 16 MiB
      t=${row%% *}; w=$(cd "$WORK/weights" && ls "$t"-s[0-9]*.pt 2>/dev/null || true)
      if [[ -n $w ]]; then tar -czf "$OUT/weights-$t.tgz" -C "$WORK/weights" $w; fi
    done
    echo "done in $(( $(date +%s) - t0 )) s: $(ls "$res"/*.json 2>/dev/null | grep -c -- '-s[0-9]*\.json$' || true) finished runs"; ls -l "$OUT" ;;
  unpack)   # into DEST (default: this checkout)
    d=${2:?name the folder the files of the device call came back in}; dest=${DEST:-.}
    mkdir -p "$dest/results" "$dest/runs"
    tar -xzf "$d/decisive-results.tgz" -C "$dest/results"
    mkdir -p "$dest/runs/$DECISIVE_GROUP-weights"
    for w in "$d"/weights-*.tgz; do if [[ -f $w ]]; then tar -xzf "$w" -C "$dest/runs/$DECISIVE_GROUP-weights"; fi; done
    ls "$dest/results/$DECISIVE_GROUP" ;;
  speed) shift; exec bash experiments/gpu_speed.sh run "$@" ;;   # the same as experiments/gpu_speed.sh run [STAGE ...]
  *) echo "usage: $0 data K | run | unpack DIR | speed [STAGE ...]"; exit 2 ;;
esac
