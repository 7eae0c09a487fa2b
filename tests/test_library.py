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

def imports_of(path: Path) -> set:
    "The saol_lite modules a module imports, at the top or inside a function (a run-time import counts too)"
    import ast
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: found |= {mod} if mod else {a.name for a in node.names}
            elif mod.startswith('saol_lite.'): found.add(mod.split('.')[1])
            elif mod == 'saol_lite': found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.Import): found |= {a.name.split('.')[1] for a in node.names if a.name.startswith('saol_lite.')}
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', '')) in ('import_module', '__import__'):
            found.add('<dynamic import>')
    return found & set(MODULES) | (found & {'<dynamic import>', '_modidx'})

def composition_order() -> list:
    "The modules in the order saol_lite/__init__.py imports them"
    import ast
    tree = ast.parse((ROOT/'saol_lite'/'__init__.py').read_text())
    return [a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1 and not n.module for a in n.names]

def test_init_composes_every_module():
    order = composition_order()
    assert sorted(order) == MODULES, set(order) ^ set(MODULES)
    assert len(order) == len(set(order))

def test_top_level_names():
    "What README's *Using saol_lite in your own code* imports from the top level is there, and is the module's own object"
    import saol_lite, importlib
    homes = {'Stages': 'models', 'Classifier': 'models', 'register_arch': 'models', 'GAPFCHead': 'heads', 'create_model': 'heads',
             'model_maps': 'heads', 'show_maps': 'heads', 'SAOLOut': 'saol', 'SAOLHead': 'saol_head',
             'SaolError': 'data', 'Config': 'config', 'load_model': 'train'}
    assert sorted(saol_lite.__all__) == sorted(homes)
    for name, mod in homes.items(): assert getattr(saol_lite, name) is getattr(importlib.import_module(f'saol_lite.{mod}'), name), name
    assert saol_lite.train is importlib.import_module('saol_lite.train')     # the module, not shadowed by its train()

def test_no_module_imports_upward():
    "Each module imports only modules before it in __init__'s order: no circle, no reach-up at import time or at run time"
    order = composition_order(); rank = {m: i for i, m in enumerate(order)}
    bad = {m: sorted(d for d in imports_of(ROOT/'saol_lite'/f'{m}.py') if d not in rank or rank[d] >= rank[m]) for m in order}
    assert not {m: d for m, d in bad.items() if d}, bad

def test_the_check_catches_a_circle(tmp_path):
    "The checker itself: a module importing one above it, or importing dynamically, is found"
    f = tmp_path/'m.py'; f.write_text('from .cli import main\ndef f():\n    from saol_lite.bench import Timer\n    import importlib; importlib.import_module("x")\n')
    assert imports_of(f) == {'cli', 'bench', '<dynamic import>'}

def test_no_undefined_names():
    "pyflakes on saol_lite/: no undefined name, no import of a name that is not there (what a pip user would hit as NameError)"
    pyflakes = pytest.importorskip('pyflakes.api', reason='pyflakes is in the dev extra')
    import io
    from pyflakes import reporter
    out = io.StringIO()
    pyflakes.checkRecursive([str(ROOT/'saol_lite')], reporter.Reporter(out, out))
    serious = [l for l in out.getvalue().splitlines() if 'undefined name' in l or 'unable to detect undefined names' in l or 'syntax' in l.lower()]
    assert not serious, '\n'.join(serious)
