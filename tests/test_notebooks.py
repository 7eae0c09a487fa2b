"""Every notebook in nbs/ runs top to bottom as nbdev_test would run it (cells flagged with
settings.ini's `tst_flags` skipped), each in its own process, so that notebook failures are
pytest failures. SAOL_NB_FLAGS="slow" runs the flagged cells too."""
import os, subprocess, sys
from configparser import ConfigParser
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
cfg = ConfigParser(); cfg.read(ROOT/'settings.ini')
SKIP = set(cfg['DEFAULT']['tst_flags'].split()) - set(os.environ.get('SAOL_NB_FLAGS', '').split())
RUN = ("import sys; from pathlib import Path; from nbdev.test import test_nb\n"
       "ok, _ = test_nb(Path(sys.argv[1]), skip_flags=sys.argv[2].split(), basepath=sys.argv[3])\n"
       "sys.exit(0 if ok else 1)")

def test_notebooks_found(): assert len(NBS) >= 2, f'no notebooks in {ROOT/"nbs"}'

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    r = subprocess.run([sys.executable, '-c', RUN, str(nb), ' '.join(sorted(SKIP)), str(ROOT)],
                       cwd=nb.parent, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, f'{nb.name} failed:\n{r.stderr[-6000:]}'
