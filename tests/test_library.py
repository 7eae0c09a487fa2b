"The library as a pip user gets it: every module imports on its own in a fresh process, without the notebooks' hidden cells."
import pkgutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(ROOT/'saol_lite')]) if not m.name.startswith('_'))

def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, cwd='/',
                          env={'PATH': '/usr/bin:/bin', 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(ROOT)})

def test_every_module_imports_alone():
    code = 'import importlib\n' + '\n'.join(f'importlib.import_module("saol_lite.{m}")' for m in MODULES)
    r = python(code)
    assert r.returncode == 0, r.stderr[-2000:]

def test_cost_rows_outside_the_notebook():
    "cost_rows used create_backbone and create_model that only a hidden notebook cell imported (NameError for a pip user)"
    r = python("from saol_lite.cost import cost_rows\nrows = cost_rows('resnet8', mids=(16,))\n"
               "assert [x['model'] for x in rows] == ['resnet8 backbone', 'resnet8 + gapfc', 'resnet8 + saol mid=16'], rows\n"
               "assert rows[2]['params'] > rows[1]['params'] > rows[0]['params'] and rows[2]['+params'].startswith('+')")
    assert r.returncode == 0, r.stderr[-2000:]
