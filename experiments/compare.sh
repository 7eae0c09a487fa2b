#!/usr/bin/env bash
# The comparison tables of notebook 17 (no GPU was available: CPU protocols, one thread a run).
#   bash experiments/compare.sh synthetic   # ResNet-8, 6,000 synthetic images, 5 epochs, one-cycle lr 0.05, batch 64
#   bash experiments/compare.sh cifar10     # ResNet-20, the reduced CIFAR-10 protocol of experiments/cpu_reduced.sh
#   METHODS="gapfc saol" bash experiments/compare.sh cifar10   # only the methods named (the others are not run)
#   bash experiments/compare.sh cifar10 --methods ltpa --seeds 0   # further arguments go to `saol_lite compare`
#   bash experiments/compare.sh cifar10 --done-only            # the table from the finished runs only (rows count their seeds)
# The CIFAR-10 comparison reuses the GAP-FC, SAOL and SAOL+SS+SD runs of cpu_reduced.sh (same protocol: linked
# in, and checked by `compare` to have the same config). Results: results/compare-*/ (summary, per-run metrics and
# map scores, each with its command).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
SL=${SL:-.venv/bin/saol_lite}
PY=${PY:-.venv/bin/python}
keep() {  # copy each run's metrics (+ map scores) and the summary into results/$2
  mkdir -p "results/$2"; cp "runs/$1/compare.json" "results/$2/"
  $PY - "$1" "$2" <<'PY'
import json, sys
from pathlib import Path
for d in sorted(Path('runs', sys.argv[1]).glob('*-s*')):
    m = json.loads((d/'metrics.json').read_text()); m['localization'] = json.loads((d/'localization.json').read_text())
    Path('results', sys.argv[2], d.name + '.json').write_text(json.dumps(m, indent=1))
PY
}
case ${1:-} in
  synthetic)
    $SL compare --dataset synthetic --arch resnet8 --limit-train 6000 --epochs 5 --bs 64 --lr 0.05 --schedule onecycle --out runs/compare-synthetic "${@:2}"
    keep compare-synthetic compare-synthetic ;;
  cifar10)
    mkdir -p runs/compare-cpu
    for s in 0 1 2; do
      for pair in gapfc:baseline-cpu/r20-gapfc saol:saol-cpu/r20-saol saol+ss+sd:ablation-cpu/r20-saol-cutmix-ss-sd; do
        m=${pair%%:*}; src=runs/${pair#*:}-s$s
        [ -e "runs/compare-cpu/$m-s$s" ] || { [ -d "$src" ] && ln -s "$(pwd)/$src" "runs/compare-cpu/$m-s$s"; } || true
      done
    done
    $SL compare --dataset cifar10 --arch resnet20 --limit-train 10000 --epochs 10 --eval-every 5 --bs 128 --lr 0.1 --schedule cosine --wd 5e-4 ${METHODS:+--methods $METHODS} --out runs/compare-cpu "${@:2}"
    keep compare-cpu compare-cpu ;;
  *) echo "usage: $0 synthetic|cifar10"; exit 2 ;;
esac
