"""The command line as users run it, in fresh processes: the console script, `python -m saol_lite`, and real CIFAR files.

In-process behaviour (every error line, eval on a JPEG copy, resume) is specified in nbs/93_cli.ipynb and nbs/03_train.ipynb."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import shared_cifar

EXE = shutil.which('saol_lite', path=str(Path(sys.executable).parent)) or 'saol_lite'

def cli(*args, module=False, timeout=600):
    cmd = [sys.executable, '-m', 'saol_lite', *args] if module else [EXE, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

SMOKE = ['--arch', 'resnet8', '--head', 'gapfc', '--epochs', '1', '--bs', '64', '--limit-train', '256', '--limit-test', '128', '--no-progress']

def test_help():
    for args in (['--help'], ['train', '--help'], ['eval', '--help']):
        r = cli(*args); assert r.returncode == 0 and 'usage: saol_lite' in r.stdout, r.stderr
    r = cli('train', '--help')
    for flag in ('--dataset', '--data-dir', '--download', '--arch', '--head', '--epochs', '--bs', '--lr', '--seed',
                 '--device', '--limit-train', '--limit-test', '--resume', '--out'): assert flag in r.stdout, flag
    assert 'images per training batch' in r.stdout                       # help text from Config's comments

def test_train_then_eval_synthetic(tmp_path):
    r = cli('train', '--dataset', 'synthetic', *SMOKE, '--out', str(tmp_path/'run'), module=True)
    assert r.returncode == 0, r.stderr
    assert 'test accuracy' in r.stdout
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())
    assert {'test_acc', 'epochs', 'seconds', 'params', 'config'} <= set(m) and 0 <= m['test_acc'] <= 1
    assert (tmp_path/'run'/'last.pt').is_file() and (tmp_path/'run'/'curves.png').is_file()
    r = cli('eval', str(tmp_path/'run'/'last.pt'), '--json', str(tmp_path/'e.json'))
    assert r.returncode == 0 and 'accuracy' in r.stdout, r.stderr
    assert json.loads((tmp_path/'e.json').read_text())['test_acc'] == m['test_acc']

def test_bad_cifar_file(tmp_path):
    src = shared_cifar('cifar10')
    d = tmp_path/'cifar-10-batches-bin'; d.mkdir()
    for f in src.iterdir(): (d/f.name).symlink_to(f)
    (d/'data_batch_3.bin').unlink(); (d/'data_batch_3.bin').write_bytes(b'\0'*5000)
    r = cli('train', '--dataset', 'cifar10', '--data-dir', str(tmp_path), '--out', str(tmp_path/'run'))
    assert r.returncode == 1 and 'data_batch_3.bin: 5,000 bytes is not a whole number of 3073-byte' in r.stderr, r.stderr

def test_cifar10_real_data(tmp_path):
    folder = shared_cifar('cifar10')
    r = cli('train', '--dataset', 'cifar10', '--data-dir', str(folder), *SMOKE, '--out', str(tmp_path/'run'))
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())
    assert 0 <= m['test_acc_exact'] <= 1 and m['n_test'] == 128 and m['params'] > 0

def test_cifar100_subset(tmp_path):
    folder = shared_cifar('cifar100')
    r = cli('train', '--dataset', 'cifar100', '--data-dir', str(folder), *SMOKE, '--out', str(tmp_path/'run'))
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path/'run'/'metrics.json').read_text())['config']['dataset'] == 'cifar100'
