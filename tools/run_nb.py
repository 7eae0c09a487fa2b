#!/usr/bin/env python
"""Execute notebooks the way JupyterLab does (a real ipykernel, through nbclient) and keep their outputs,
skipping the cells that nbdev_test skips (flagged with settings.ini's `tst_flags`, or `#| eval: false`).

    python tools/run_nb.py nbs/00_data.ipynb                # run what CI runs, save outputs
    python tools/run_nb.py nbs/03_train.ipynb --flags slow  # also run the `#| slow` cells

Cells that are skipped keep the outputs they had, so the results of a full-scale run stay in the
notebook after a quick re-run. Run `nbdev_clean` afterwards. `tests/test_notebooks.py` runs the
notebooks through `client_for` below, so what is saved is what the tests see and what a learner sees.
"""
import argparse, os, re, sys, time
from configparser import ConfigParser
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
_directive = re.compile(r'^\s*#\s*\|\s*([\w-]+:?)(.*)$')

def tst_flags() -> set:
    "The flags whose cells nbdev_test skips unless asked (settings.ini's `tst_flags`)"
    cfg = ConfigParser(); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def directives(source: str) -> dict:
    "The `#| name args` lines at the top of a cell, as {name: [args]} (nbdev's syntax, read without nbdev)"
    out = {}
    for line in source.splitlines():
        if not line.strip(): continue
        m = _directive.match(line)
        if not m: break
        out[m.group(1)] = m.group(2).split()
    return out

def skipped(cell, flags: set) -> bool:
    "True for a cell that nbdev_test would not run with `flags` skipped"
    if cell.cell_type != 'code': return True
    d = directives(cell.source)
    return d.get('eval:', [''])[0].lower() == 'false' or bool(flags & d.keys())

WIDGET = 'application/vnd.jupyter.widget-view+json'

class SkippingClient(NotebookClient):
    """nbclient's executor, leaving the cells that `skip(cell)` picks untouched (their saved outputs stay), and dropping
    the views of widgets that were closed while their cell ran: a finished tqdm bar (`leave=False`) is gone from
    JupyterLab's page, and saved without its state it would show as a bar stuck at 0%"""
    def __init__(self, nb, skip, **kw): super().__init__(nb, **kw); self.skip, self.closed = skip, set()
    def handle_comm_msg(self, outs, msg, cell_index):
        if msg['msg_type'] == 'comm_close': self.closed.add(msg['content']['comm_id'])
        return super().handle_comm_msg(outs, msg, cell_index)
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self.skip(cell): return cell
        try: return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally: cell.outputs = [o for o in cell.outputs if o.get('data', {}).get(WIDGET, {}).get('model_id') not in self.closed]

def client_for(path, run_flags=(), timeout=1200, allow_errors=False) -> SkippingClient:
    "An executor for notebook `path` in a fresh python3 kernel started in the notebook's folder, as JupyterLab does"
    path, flags = Path(path).absolute(), tst_flags() - set(run_flags)
    return SkippingClient(nbformat.read(path, as_version=4), lambda c: skipped(c, flags), timeout=timeout, kernel_name='python3',
                          allow_errors=allow_errors, record_timing=False, store_widget_state=False, resources={'metadata': {'path': str(path.parent)}})

def run_nb(path, run_flags=()):
    "Execute `path` and write its new outputs into it (also when a cell fails: the outputs so far are kept)"
    path, t0 = Path(path), time.time()
    client = client_for(path, run_flags)
    try: client.execute()
    finally: nbformat.write(client.nb, path)
    print(f'{path.name}: {time.time()-t0:.1f}s', flush=True)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--flags', default='', help='space separated flags to run too (e.g. "slow")')
    a = ap.parse_args()
    for nb in a.notebooks: run_nb(nb, a.flags.split())
