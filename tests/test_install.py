"""What a learner installs is enough for the course: a fresh virtual environment (`python -m venv`, no system
site-packages), `pip install torch==2.13.0`, then `pip install ".[course]"` and nothing else (no `dev` extra), then
a course notebook run top to bottom in a real Jupyter kernel of that environment (nbclient from the test's own
environment drives a kernelspec whose argv is the new environment's python, written by that environment's ipykernel;
the test asserts that the kernel's `sys.executable` and `saol_lite` are the new environment's). It also checks that
every module any notebook imports can be found there, and that `python3 run.py course` opens JupyterLab on nbs/.

PyTorch comes from pip's configured index (here a CPU wheel on local disk); $TORCH overrides the requirement, as
in run.py. Without a wheel or a network the install test is skipped with pip's message, and fails under CI (`CI` set).
It takes about two minutes on a 2-core CPU: pip unpacking PyTorch and JupyterLab, then the notebook; the environment
(1.1 GB) is deleted afterwards, in the background."""
import os, re, secrets, shlex, shutil, signal, socket, subprocess, sys, time, urllib.request, json
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from run_nb import client_for, skipped, tst_flags   # noqa: E402

TORCH = os.environ.get('TORCH', 'torch==2.13.0')
NOTEBOOK = ROOT/'nbs'/'00_data.ipynb'   # the course's first notebook: fastcore in its hidden cell, library figures, a quick demo
SOURCE = ('setup.py', 'settings.ini', 'README.md', 'LICENSE', 'MANIFEST.in', 'pyproject.toml', 'saol_lite')

def unavailable(why: str):
    "Skip, or fail under CI, where the install test must run"
    if os.environ.get('CI'): pytest.fail(f'CI must run the install test, but {why}')
    pytest.skip(why)

OFFLINE = re.compile(r'No matching distribution|Could not find a version|Failed to establish a new connection|'
                     r'Network is unreachable|Temporary failure in name resolution|Max retries exceeded|timed out', re.I)

def run(cmd, what: str, env, timeout=900) -> float:
    "Run `cmd`, returning its seconds; on failure fail with its output (skip, outside CI, when pip found no wheel or no network)"
    t0 = time.time()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=timeout)
    if r.returncode:
        out = (r.stdout + r.stderr).strip()[-2500:]
        if OFFLINE.search(out): unavailable(f'{what} found no wheel or no network:\n{out}')
        pytest.fail(f'{what} failed ({" ".join(map(str, cmd))}):\n{out}')
    return time.time() - t0

def notebook_imports() -> set:
    "Top-level modules imported anywhere in the notebooks' code cells"
    mods = set()
    for nb in (ROOT/'nbs').glob('*.ipynb'):
        for cell in json.loads(nb.read_text())['cells']:
            if cell['cell_type'] != 'code': continue
            for line in ''.join(cell['source']).splitlines():
                if m := re.match(r'\s*from\s+([A-Za-z_]\w*)[\w.]*\s+import\b', line): mods.add(m.group(1))
                elif m := re.match(r'\s*import\s+([\w., ]+?)\s*(#.*)?$', line):
                    mods |= {part.split()[0].split('.')[0] for part in m.group(1).split(',') if part.strip()}
    return mods

def images(cell) -> int: return sum('image/png' in o.get('data', {}) for o in cell.get('outputs', []))

@pytest.fixture(scope='module')
def course_venv(tmp_path_factory):
    "A fresh venv with torch and saol_lite[course] only (no dev extra), installed from a copy of the source; deleted afterwards"
    tmp = tmp_path_factory.mktemp('install')
    venv, src = tmp/'venv', tmp/'src'
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PIP_USER')}
    env |= {'PIP_DISABLE_PIP_VERSION_CHECK': '1', 'PYTHONNOUSERSITE': '1'}
    for name in SOURCE:                  # pip builds in the source folder: a copy keeps build/ out of the checkout
        p = ROOT/name
        if p.is_dir(): shutil.copytree(p, src/name, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        elif p.exists(): src.mkdir(exist_ok=True); shutil.copy2(p, src/name)
    py, times, t0 = venv/'bin'/'python', {}, time.time()
    try:
        r = subprocess.run([sys.executable, '-m', 'venv', str(venv)], capture_output=True, text=True, env=env)
        if r.returncode: unavailable(f'python -m venv failed (Debian/Ubuntu: apt install python3-venv): {r.stderr.strip()[-500:]}')
        times['venv'] = time.time() - t0
        pip = [py, '-m', 'pip', 'install', '-q', '--no-compile']     # no .pyc for all of torch up front: imports compile what they use
        times['torch'] = run([*pip, *shlex.split(TORCH)], f'pip install {TORCH}', env)
        times['course'] = run([*pip, f'{src}[course]'], 'pip install ".[course]"', env)
        yield venv, env, times
    finally:   # in the background: deleting its 30,000 files takes 30-100 s here (ext4 mounted with `discard`)
        if shutil.which('rm') and venv.exists():
            subprocess.Popen(['rm', '-rf', str(venv)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        else: shutil.rmtree(venv, ignore_errors=True)

def test_course_extra_is_enough(course_venv, tmp_path, monkeypatch):
    venv, env, times = course_venv
    py = venv/'bin'/'python'
    assert 'include-system-site-packages = false' in (venv/'pyvenv.cfg').read_text()
    lines = subprocess.run([py, '-m', 'pip', 'list', '--format=freeze'], capture_output=True, text=True, env=env).stdout
    pkgs = {l.split('==')[0].lower().replace('_', '-') for l in lines.splitlines()}
    assert {'torch', 'saol-lite', 'jupyterlab', 'ipykernel', 'fastcore'} <= pkgs, sorted(pkgs)
    assert not {'nbdev', 'pytest', 'playwright', 'execnb'} & pkgs, 'the dev extra leaked into the course install'

    missing = subprocess.run([py, '-c', 'import importlib.util, sys\n'
                              'print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))', *sorted(notebook_imports())],
                             capture_output=True, text=True, env=env, cwd=tmp_path)
    assert missing.returncode == 0 and not missing.stdout.strip(), \
        f'modules the notebooks import but `pip install ".[course]"` does not give: {missing.stdout.strip()} {missing.stderr[-500:]}'

    # a kernelspec written by the new environment's own ipykernel: its argv is that environment's python
    t0 = time.time()
    run([py, '-m', 'ipykernel', 'install', '--prefix', tmp_path/'jupyter', '--name', 'saol-course-venv'], 'ipykernel install', env)
    monkeypatch.setenv('JUPYTER_PATH', str(tmp_path/'jupyter'/'share'/'jupyter'))
    monkeypatch.delenv('PYTHONPATH', raising=False)
    client = client_for(NOTEBOOK, timeout=600)
    client.kernel_name = 'saol-course-venv'
    had = [images(c) for c in client.nb.cells]
    import nbformat
    client.nb.cells.append(nbformat.v4.new_code_cell('import sys, saol_lite, fastcore; print(sys.executable); print(saol_lite.__file__); print(fastcore.__file__)'))
    client.execute()
    times['notebook'] = time.time() - t0
    flags = tst_flags()
    for i, cell in enumerate(client.nb.cells[:-1]):
        if skipped(cell, flags): continue
        errors = [f"{o['ename']}: {o['evalue']}" for o in cell.outputs if o['output_type'] == 'error']
        assert not errors, f'{NOTEBOOK.name}, cell {i}: {errors}'
        if had[i]: assert images(cell), f'{NOTEBOOK.name}, cell {i}: its saved output has an image, but the course install showed none'
    assert sum(map(images, client.nb.cells)) > 0, f'{NOTEBOOK.name} showed no image in the course install'
    exe, lib, fc = ''.join(o.get('text', '') for o in client.nb.cells[-1].outputs).splitlines()
    assert Path(exe).parent == py.parent, f'the kernel ran {exe}, not the new environment\'s python'
    for f in (lib, fc): assert Path(f).is_relative_to(venv), f'{f} was imported from outside the new environment'
    print('course install: ' + ', '.join(f'{k} {v:.0f} s' for k, v in times.items()) + f'; {sum(times.values()):.0f} s in all'
          + f' ({len(pkgs)} packages)')

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_course_command_opens_jupyterlab(tmp_path):
    "`python3 run.py course --no-browser ...` (README's course command, on this checkout's .venv) serves nbs/ in JupyterLab"
    if not (ROOT/'.venv'/'bin'/'python').exists(): pytest.skip('no .venv here: `python3 run.py course` would create one first')
    port, token, home = free_port(), secrets.token_hex(16), tmp_path/'home'
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home/'config'), JUPYTER_RUNTIME_DIR=str(home/'runtime'),
               JUPYTERLAB_SETTINGS_DIR=str(home/'settings'), JUPYTERLAB_WORKSPACES_DIR=str(home/'workspaces'))
    cmd = [sys.executable, str(ROOT/'run.py'), 'course', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', '--LabApp.news_url=']
    if os.geteuid() == 0: cmd.append('--allow-root')
    log = tmp_path/'course.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        t0, listing = time.time(), None
        while listing is None:
            if proc.poll() is not None: pytest.fail(f'run.py course exited with {proc.returncode}:\n{log.read_text()[-3000:]}')
            if time.time() - t0 > 300: pytest.fail(f'JupyterLab did not answer within 300 s:\n{log.read_text()[-3000:]}')
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/api/contents?token={token}', timeout=2) as r: listing = json.load(r)
            except OSError: time.sleep(0.5)
        names = {c['name'] for c in listing['content']}
        assert {'06_saol.ipynb', '11_explore.ipynb'} <= names, f'JupyterLab does not serve nbs/: {sorted(names)}'
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/lab?token={token}', timeout=10) as r: assert r.status == 200
        print(f'run.py course: JupyterLab answered after {time.time() - t0:.1f} s')
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try: proc.wait(20)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
