#!/usr/bin/env python
"""Execute notebooks in place and keep their outputs, skipping flagged cells the way nbdev_test does.

    python tools/run_nb.py nbs/00_data.ipynb            # run what CI runs, save outputs
    python tools/run_nb.py nbs/03_train.ipynb --flags slow  # also run the `#| slow` cells

Cells that are skipped keep the outputs they had, so the results of a full-scale run stay in the
notebook after a quick re-run. Run `nbdev_clean` afterwards (the Makefile's `make nb` does both).
"""
import argparse, os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.process import extract_directives

def skip_fn(flags):
    "A `preproc` for `CaptureShell.run_all`: True for cells nbdev_test would not run; clears the outputs of the others"
    def _skip(cell):
        if cell.cell_type != 'code': return True
        d = extract_directives(cell, remove=False)
        if d.get('eval:', [''])[0].lower() == 'false' or flags & d.keys(): return True
        cell.outputs = []          # execnb keeps old outputs when a cell prints nothing now
        return False
    return _skip

def run_nb(path, force=()):
    path = Path(path).absolute()
    flags = set(get_config().tst_flags.split()) - set(force)
    nb = read_nb(path)
    shell, t0 = CaptureShell(path, mpl_format='png'), time.time()   # plain PNGs keep notebooks small
    os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skip_fn(flags))
    finally: write_nb(nb, path)   # outputs so far are kept even when a cell fails
    print(f'{path.name}: {time.time()-t0:.1f}s')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--flags', default='', help='space separated flags to run too (e.g. "slow")')
    a = ap.parse_args()
    os.environ.setdefault('IN_TEST', '')
    for nb in a.notebooks: run_nb(nb, a.flags.split())
