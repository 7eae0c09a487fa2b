"The experiment scripts behind the committed results: they must still produce the commands the result files record."
import json, os, shlex, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def gpu_sh(*args, tmp_path, **env):
    return subprocess.run(['bash', str(ROOT/'experiments'/'gpu.sh'), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, 'WORK': str(tmp_path/'work'), 'OUT': str(tmp_path/'out'), **env})

def test_gpu_jobs_reproduce_the_saved_commands(tmp_path):
    "experiments/gpu.sh, with the settings its header names, runs exactly the commands stored in results/*-gpu"
    r = gpu_sh('jobs', tmp_path=tmp_path, EPOCHS='30', BS='512', LR='0.4', WARMUP='1')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 24 and [l.split()[1] for l in lines] == ['0']*8 + ['1']*8 + ['2']*8    # seed by seed
    for line in lines:
        a = shlex.split(line); seed, group, tag, train_args = a[1], a[2], a[3], a[5:]
        assert a[4] == '--'
        want = shlex.join(['saol_lite', 'train', *train_args, '--seed', seed, '--no-progress', '--out', f'runs/{group}/{tag}-s{seed}'])
        saved = ROOT/'results'/group/f'{tag}-s{seed}.json'                    # what tools/sweep.py recorded on the GPU
        if saved.exists(): assert json.loads(saved.read_text())['command'] == want, saved.name
    assert len(list((ROOT/'results').glob('*-gpu/*.json'))) == 24

def test_gpu_usage_error(tmp_path):
    r = gpu_sh('nonsense', tmp_path=tmp_path)
    assert r.returncode == 2 and 'usage:' in r.stdout

def test_gpu_probe_runs_on_cpu():
    "The probe that sized the GPU sweep: images/s of a recipe given as Config settings"
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'gpu_probe.py'), '--arch', 'resnet8', '--bs', '16', '--seconds', '0.5',
                        '--steps', '1', 'head=saol', 'cutmix=0.5', 'ss1=1', 'ss2=1', 'sd=0.5'], capture_output=True, text=True,
                       timeout=300, cwd=ROOT, env={**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout.splitlines()[-1])
    assert m['settings'] == {'head': 'saol', 'cutmix': 0.5, 'ss1': 1, 'ss2': 1, 'sd': 0.5} and m['bs'] == 16
    assert m['steps'] >= 1 and m['img_s'] > 0 and m['device'] == 'cpu'
