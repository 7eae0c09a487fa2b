# Sourced by the CPU experiment scripts that keep each finished run's metrics in results/ (airnet_lr.sh,
# airnet_tricks.sh). The script defines `cmd NAME` (the run's `saol_lite train ...` command line, ending in
# `--out runs/SET/NAME`) and sets SL (the saol_lite to call) and KEPT (the results/ folder) before sourcing.
keep() {  # NAME: the run's metrics.json with its command, into $KEPT/NAME.json
  local c; c=$(cmd "$1"); mkdir -p "$KEPT"
  ${PY:-.venv/bin/python} -c 'import json, sys; m = json.load(open(sys.argv[1])); m["command"] = sys.argv[3]; json.dump(m, open(sys.argv[2], "w"), indent=1)' \
    "${c##* --out }/metrics.json" "$KEPT/$1.json" "$c"
}
run() {  # NAME: train it (an existing run folder is an error, never overwritten), then keep it
  # shellcheck disable=SC2046
  $SL $(cmd "$1" | cut -d' ' -f2-) > /dev/null && keep "$1"
}
