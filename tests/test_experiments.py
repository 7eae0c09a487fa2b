"The experiment scripts behind the committed results: they must still produce the commands the result files record."
import json, os, shlex, subprocess, sys
from pathlib import Path
from saol_lite.config import Config

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

def test_gpu_run_dry_run(tmp_path):
    "experiments/gpu_run.sh, all of `run` on a CPU at a tiny scale (DRY=1), then `unpack` and the report: no GPU minute lost to a typo"
    env = {**os.environ, 'DRY': '1', 'WORK': str(tmp_path/'work'), 'OUT': str(tmp_path/'out'), 'PY': sys.executable, 'OMP_NUM_THREADS': '1'}
    run = lambda *a, **kw: subprocess.run(['bash', str(ROOT/'experiments'/'gpu_run.sh'), *a], capture_output=True, text=True,
                                          timeout=900, cwd=ROOT, env={**env, **kw})
    r = run('run')
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    plan = json.loads((tmp_path/'work'/'plan.json').read_text())
    assert plan['epochs'] == 2 and plan['ablation'] and len(plan['probe_img_s']) == 3 and plan['note'] == ''
    outs = sorted(p.name for p in (tmp_path/'out').iterdir())
    assert outs == ['decisive-results.tgz'] + sorted(f'weights-{t}.tgz' for t in ('r20-gapfc', 'r20-full', 'r20-gapfc-cutmix',
                    'r20-full-ss1only', 'r20-full-ss2only', 'r20-full-ss0.1'))
    assert len(outs) <= 8 and all(p.stat().st_size < 16 << 20 for p in (tmp_path/'out').iterdir())   # what a device call brings back
    r = run('unpack', str(tmp_path/'out'), DEST=str(tmp_path/'dest'))
    assert r.returncode == 0, r.stderr
    res = tmp_path/'dest'/'results'/'decisive-gpu'
    jobs = (res/'jobs').read_text().splitlines()
    assert len(jobs) == 3*2 + 3                                                     # 3 rows x 2 seeds, 3 ablation rows x 1
    for line in jobs:                                                               # each result holds the exact command, seed included
        a = shlex.split(line); seed, group, tag, train_args = a[1], a[2], a[3], a[5:]
        m = json.loads((res/f'{tag}-s{seed}.json').read_text())
        assert m['command'] == shlex.join(['saol_lite', 'train', *train_args, '--seed', seed, '--no-progress', '--out', f'runs/{group}/{tag}-s{seed}'])
        assert m['status'] == 'done' and m['n_holdout'] == 64 and 'holdout_acc' in m and (res/f'{tag}-s{seed}.npz').exists()
    assert {'machine.json', 'plan.json', 'sweep.log'} <= {p.name for p in res.iterdir()}
    assert len(list((tmp_path/'dest'/'runs'/'decisive-gpu-weights').glob('*.pt'))) == 9
    rep = subprocess.run([sys.executable, str(ROOT/'tools'/'decisive_report.py'), str(res)], capture_output=True, text=True, timeout=120)
    assert rep.returncode == 0 and '**Decision (SAOL full recipe − GAP-FC, held out): ' in rep.stdout, rep.stdout + rep.stderr

def test_decisive_jobs_are_the_written_protocol():
    "decisive.sh prints the protocol of its header: 3 rows x 5 seeds, held-out 5,000, 60 epochs, the 30-epoch GPU recipe otherwise"
    r = subprocess.run(['bash', str(ROOT/'experiments'/'decisive.sh'), 'jobs'], capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and len(lines) == 15
    for l in lines:
        assert '--dataset cifar10' in l and '--holdout 5000' in l and '--epochs 60' in l and '--bs 512' in l and '--lr 0.4' in l
        assert '--warmup 1' in l and '--schedule cosine' in l and '--wd 5e-4' in l and '--arch resnet20' in l
    full = [l for l in lines if ' r20-full ' in l]
    assert len(full) == 5 and all('--head saol --cutmix 0.5 --ss1 1 --ss2 1 --sd 0.5' in l for l in full)

def test_gpu_speed_dry_run(tmp_path):
    "experiments/gpu_speed.sh: every stage on a CPU at a tiny scale (DRY=1); stages already done are skipped, a stage that does not fit waits"
    env = {**os.environ, 'DRY': '1', 'OUT': str(tmp_path/'out'), 'DONE': str(tmp_path/'done'), 'PY': sys.executable, 'OMP_NUM_THREADS': '1'}
    run = lambda *a, **kw: subprocess.run(['bash', str(ROOT/'experiments'/'gpu_speed.sh'), *a], capture_output=True, text=True,
                                          timeout=900, cwd=ROOT, env={**env, **kw})
    stages = ['tta', 'moonshot', 'ops', 'compiled-r18', 'compiled-r20', 'compiled-r56', 'tricks', 'air-tricks', 'full']
    r = run('run')
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    made = tmp_path/'out'/'gpu-speed'
    assert sorted(p.name for p in made.iterdir()) == sorted(f'{s}.md' for s in stages), r.stdout
    for s in stages:
        md = (made/f'{s}.md').read_text()
        assert md.startswith('command: `saol_lite bench') and '| --- |' not in md and '|---|' in md and 'device: ' in md, s
    assert (made/'tta.md').read_text().count('holdout_acc') == 1 and '≥ 94.0%' in (made/'tta.md').read_text()
    assert (made/'compiled-r20.md').read_text().count('--compile-scope step') == 1           # eager, then compiled (DRY: backend eager)
    assert (made/'tricks.md').read_text().count('command: ') == 5
    air = (made/'air-tricks.md').read_text()                                                  # each airbench trick taken out in turn
    assert air.count('command: ') == 6 and all(f' {s}`' in air for s in ('lookahead=0', 'tta_shift=0', 'bn_scales=true bn_lr=1', 'whiten_bias_epochs=0', 'bn_momentum=0.1', 'schedule=onecycle'))
    moon = (made/'moonshot.md').read_text()
    assert moon.count('command: ') == 6 and 'lr=1.5 momentum=0.85 wd=0.00133' in moon and moon.count('--compile eager') == 1 and 'head=gapfc' in moon and 'head=saol' in moon and 'init_s' in moon   # both heads, the whitening timed
    r = run('unpack', str(tmp_path/'out'))
    assert r.returncode == 0 and sorted(p.name for p in (tmp_path/'done').iterdir()) == sorted(f'{s}.md' for s in stages)
    r = run('run', OUT=str(tmp_path/'out2'))                                                  # the next slot: nothing left to do
    assert r.returncode == 0 and r.stdout.count('done before') == len(stages)
    (tmp_path/'done'/'ops.md').unlink()
    r = run('run', 'ops', OUT=str(tmp_path/'out3'), SPEED_BUDGET='0')                          # pending, not started, when it cannot fit
    assert r.returncode == 0 and '== ops: pending' in r.stdout and not list((tmp_path/'out3'/'gpu-speed').iterdir())
    r = run('run', 'nonsense')
    assert r.returncode == 2 and 'unknown stage nonsense' in r.stdout

def airnet_commands(script: str, n: int) -> list:
    "The `n` training commands that experiments/`script` says it runs, each an airnet_small run on CIFAR-10"
    r = subprocess.run(['bash', str(ROOT/'experiments'/script), 'commands'], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == n and all(l.startswith('saol_lite train --dataset cifar10 --arch airnet_small') for l in lines)
    return lines

def test_airnet_lr_reproduces_the_saved_commands():
    "experiments/airnet_lr.sh trains exactly the runs results/airnet-lr/ records (notebook 12a reads them)"
    for line in airnet_commands('airnet_lr.sh', 3):
        lr = shlex.split(line)[shlex.split(line).index('--lr') + 1]
        m = json.loads((ROOT/'results'/'airnet-lr'/f'lr-{lr}.json').read_text())
        assert m['command'] == line and m['config']['lr'] == float(lr) and m['status'] == 'done', lr

def test_airnet_tricks_reproduces_the_saved_commands():
    "experiments/airnet_tricks.sh trains exactly the runs results/airnet-tricks/ records, each with the tricks its name says"
    lines = airnet_commands('airnet_tricks.sh', 3)
    first = dict(schedule='onecycle', bn_momentum=None, whiten_bias_epochs=0)
    want = {'bn': dict(bn_scales=False, bn_lr=64.0, lookahead=0, tta=False, tta_shift=0, **first),
            'all': dict(bn_scales=False, bn_lr=64.0, lookahead=5, tta=True, tta_shift=1, **first),
            'more': dict(bn_scales=False, bn_lr=64.0, lookahead=5, tta=True, tta_shift=1, schedule='triangle', bn_momentum=0.4, whiten_bias_epochs=3)}
    for line in lines:
        name = Path(shlex.split(line)[-1]).name
        m = json.loads((ROOT/'results'/'airnet-tricks'/f'{name}.json').read_text())
        assert m['command'] == line and m['status'] == 'done', name
        assert {k: m['config'].get(k, Config.__dataclass_fields__[k].default) for k in want[name]} == want[name], name   # runs older than a field: its default
