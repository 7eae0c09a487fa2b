#!/usr/bin/env python3
"""Set up `.venv` and run the demo or the tests; needs only Python >= 3.10 and pip.

    python3 run.py demo     # train on the embedded synthetic data; prints test accuracy, writes figures to runs/demo/
    python3 run.py test     # every notebook and tests/ under pytest (extra arguments go to pytest)
    python3 run.py setup    # only create/update .venv with the dev tools
    python3 run.py course   # .venv with the course's packages, then JupyterLab on nbs/ (extra arguments go to
                            # JupyterLab, e.g. --no-browser --port 8890)

The first call creates .venv: PyTorch first, then saol_lite (editable; with its `dev` extra for the tests, and
its `course` extra, JupyterLab and what the notebooks import, for `course`).
PyTorch comes from $TORCH, default "torch==2.13.0"; set it to pick another build, e.g.
TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" for a CPU-only download.
Later calls reuse .venv and reinstall only when setup.py, settings.ini or $TORCH change.
"""
import hashlib, os, shlex, subprocess, sys, venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT/'.venv'
BIN = VENV/('Scripts' if os.name == 'nt' else 'bin')
TORCH = os.environ.get('TORCH', 'torch==2.13.0')
DEMO = ['train', '--dataset', 'synthetic', '--arch', 'resnet8', '--head', 'saol', '--limit-train', '6000',
        '--epochs', '5', '--bs', '64', '--lr', '0.05', '--schedule', 'onecycle', '--out', 'runs/demo',
        '--overwrite']   # runs/demo is the demo's own folder: running the demo again replaces its last run

def sh(*cmd, **kw):
    print('+', ' '.join(map(str, cmd)), flush=True)
    r = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kw)
    if r.returncode: sys.exit(r.returncode)

def setup(extra: str):
    "Create .venv and install torch, then saol_lite[extra], unless the same install is already there"
    key = hashlib.sha256(b''.join((ROOT/f).read_bytes() for f in ('setup.py', 'settings.ini')) + TORCH.encode()).hexdigest()
    stamp = VENV/f'.installed-{extra or "lib"}'
    if stamp.exists() and stamp.read_text() == key: return
    if not (BIN/'python').exists() and not (BIN/'python.exe').exists():
        print(f'creating {VENV.name}/', flush=True)
        try: venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as e: sys.exit(f'could not create {VENV}: {e}\n(on Debian/Ubuntu: apt install python3-venv)')
    pip = [BIN/'python', '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
    if subprocess.run([BIN/'python', '-c', 'import torch'], capture_output=True).returncode:
        sh(*pip, *shlex.split(TORCH))                            # torch first, so that nothing pulls another build
    sh(*pip, '-e', f'.[{extra}]' if extra else '.')
    stamp.write_text(key)

def main(argv):
    what, rest = (argv[0] if argv else 'help'), argv[1:]
    if what == 'demo':
        setup('')
        sh(BIN/'saol_lite', *DEMO, *rest)
    elif what == 'test':
        setup('dev')
        sh(BIN/'python', '-m', 'pytest', 'tests', '--durations=15', *rest)
    elif what == 'setup': setup('dev')
    elif what == 'course':
        setup('course')
        lab = [str(BIN/'python'), '-m', 'jupyterlab', *rest]
        print('+ cd nbs &&', ' '.join(lab), flush=True)
        os.chdir(ROOT/'nbs')                                     # JupyterLab serves its working folder; kernels start beside each notebook
        if os.name == 'posix': os.execv(lab[0], lab)             # JupyterLab takes over this process: Ctrl-C reaches it alone
        sys.exit(subprocess.run(lab).returncode)
    else: print(__doc__); sys.exit(0 if what in ('help', '-h', '--help') else 2)

if __name__ == '__main__': main(sys.argv[1:])
