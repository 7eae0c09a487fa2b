"""Every notebook in nbs/ runs top to bottom in a real Jupyter kernel (ipykernel through nbclient, as JupyterLab
runs it), each in a fresh kernel, with the cells that nbdev_test skips skipped (settings.ini's `tst_flags`;
SAOL_NB_FLAGS="slow" runs those too). A notebook fails on any error output, on any figure that comes out as
text (`<Figure size ...>`) instead of a picture, and when a cell whose saved output holds an image shows none.
`test_nbdev_test` checks that nbdev_test itself still runs the course (users run it in their own CI)."""
import os, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from run_nb import WIDGET, client_for, skipped, tst_flags   # noqa: E402

NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
RUN_FLAGS = os.environ.get('SAOL_NB_FLAGS', '').split()

def images(cell) -> int: return sum('image/png' in o.get('data', {}) for o in cell.get('outputs', []))

def figures_as_text(cell) -> list:
    "Outputs of `cell` that show a matplotlib figure as its text repr instead of an image"
    bad = []
    for o in cell.get('outputs', []):
        text = o.get('text', '') if o['output_type'] == 'stream' else o.get('data', {}).get('text/plain', '')
        if '<Figure size' in str(text) and 'image/png' not in o.get('data', {}): bad.append(str(text).strip()[:80])
    return bad

def test_notebooks_found(): assert len(NBS) >= 2, f'no notebooks in {ROOT/"nbs"}'

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    client, t0 = client_for(nb, RUN_FLAGS), time.time()
    had = [images(c) for c in client.nb.cells]            # read before running: nbclient replaces the outputs in place
    client.execute()
    print(f'{nb.name}: {time.time() - t0:.1f} s in a real kernel')
    flags = tst_flags() - set(RUN_FLAGS)
    for i, cell in enumerate(client.nb.cells):
        if skipped(cell, flags): continue
        where = f'{nb.name}, cell {i} ({cell.source.splitlines()[0][:60] if cell.source else ""!r})'
        assert not figures_as_text(cell), f'{where}: figure shown as text, not as an image: {figures_as_text(cell)}'
        assert not [o for o in cell.outputs if o['output_type'] == 'error'], f'{where}: error output'
        if had[i]: assert images(cell), f'{where}: its saved output has an image, but running it showed none'

def test_nbdev_test_runs_the_course():
    "nbdev_test, as users run it, on two notebooks (all of them run above in a real kernel; twice would double CI's time)"
    nbdev_test = Path(sys.executable).parent/'nbdev_test'
    if not nbdev_test.exists(): pytest.skip(f'nbdev is not installed beside {sys.executable}')
    for name in ('00_data.ipynb', '06_saol.ipynb'):
        r = subprocess.run([str(nbdev_test), '--path', f'nbs/{name}', '--n_workers', '0'], cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f'nbdev_test failed on {name}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'

def test_closed_widgets_are_not_saved(tmp_path):
    "run_nb keeps a widget that is still open and drops one closed in its cell (a finished tqdm bar with leave=False)"
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'from tqdm.auto import tqdm\nimport ipywidgets as w\nfor _ in tqdm(range(3), leave=False): pass\ndisplay(w.IntSlider(3))\nprint("done")')])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    path = tmp_path/'widgets.ipynb'; nbformat.write(nb, path)
    client = client_for(path); client.execute()
    outs = client.nb.cells[0].outputs
    views = [o for o in outs if WIDGET in o.get('data', {})]
    assert len(views) == 1 and 'IntSlider' in views[0]['data']['text/plain'], outs          # the slider stays, the bar is gone
    assert client.closed and any(o.get('text') == 'done\n' for o in outs)
