#!/usr/bin/env python
"""Run `saol_lite train` for several seeds, one run after another, and keep each run's metrics.

    python tools/sweep.py [--seeds 0,1,2] baseline-cpu r20-gapfc -- --dataset cifar10 --arch resnet20 --head gapfc ...

Run folders go to runs/GROUP/TAG-sSEED/ (checkpoints, not committed); metrics.json, with the exact
command added, is copied to results/GROUP/TAG-sSEED.json (committed: the evidence behind the tables),
and per_image.npz (which images each split got right) to TAG-sSEED.npz beside it.
Runs whose results file exists are skipped, and an interrupted run is resumed, so the sweep can be
restarted at any time. OMP_NUM_THREADS defaults to 1 here, so that a sweep leaves a core free.
"""
import argparse, json, os, shlex, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('group'); ap.add_argument('tag')
    ap.add_argument('--seeds', type=lambda v: [int(x) for x in v.split(',')], default=[0, 1, 2],
                    help='comma-separated, before GROUP (after it, everything goes to saol_lite train)')
    ap.add_argument('train_args', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = [x for x in a.train_args if x != '--']
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1')}
    for seed in a.seeds:
        dest = ROOT/'results'/a.group/f'{a.tag}-s{seed}.json'
        if dest.exists(): print(f'have {dest.relative_to(ROOT)}'); continue
        out = ROOT/'runs'/a.group/f'{a.tag}-s{seed}'
        cmd = ['saol_lite', 'train', *args, '--seed', str(seed), '--no-progress', '--out', str(out.relative_to(ROOT))]
        print('+', shlex.join(cmd), flush=True)
        r = subprocess.run([sys.executable, '-m', 'saol_lite', *cmd[1:], '--resume'], cwd=ROOT, env=env)
        if r.returncode: sys.exit(r.returncode)
        m = json.loads((out/'metrics.json').read_text()); m['command'] = shlex.join(cmd)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if (out/'per_image.npz').exists(): shutil.copyfile(out/'per_image.npz', dest.with_suffix('.npz'))   # for image-paired comparisons
        dest.write_text(json.dumps(m, indent=1))        # last: its presence marks the run done

if __name__ == '__main__': main()
