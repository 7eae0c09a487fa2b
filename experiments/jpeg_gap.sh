#!/usr/bin/env bash
# How much of the gap between the two CIFAR-10 test splits is the JPEG? Scores each saved checkpoint on the test
# set as it is and on a JPEG copy of it (quality 75, 4:2:0: the settings that made records 1017-9999 of the course's
# copy), so that its exact split is the same 1,017 images with and without JPEG. Needs the checkpoints in runs/
# (they are not committed: rerun experiments/cpu_reduced.sh to make them). Results: results/jpeg-gap/*.json.
#   bash experiments/jpeg_gap.sh [RUN_DIR ...]      # default: every run of cpu_reduced.sh and runs/jpeg-probe/*
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
SL=${SL:-.venv/bin/saol_lite}
dirs=("$@"); [[ ${#dirs[@]} -gt 0 ]] || dirs=(runs/baseline-cpu/* runs/saol-cpu/* runs/ablation-cpu/* runs/jpeg-probe/*)
mkdir -p results/jpeg-gap
for d in "${dirs[@]}"; do
  [[ -f $d/last.pt ]] || { echo "skip $d: no last.pt"; continue; }
  name=$(basename "$d")
  $SL eval "$d/last.pt" --json "results/jpeg-gap/$name.json"
  $SL eval "$d/last.pt" --jpeg 75 --json "results/jpeg-gap/$name-jpeg75.json"
done
