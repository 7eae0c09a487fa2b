"The explorer with the heads of later notebooks (which notebook 11 may not import), and `saol_lite explain` in a fresh process."
import os, shutil, subprocess, sys
from pathlib import Path
import pytest, torch
from saol_lite.data import channel_stats, load_dataset
from saol_lite.heads import create_model
from saol_lite.explore import AttentionExplorer, explain, explain_figure

EXE = shutil.which('saol_lite', path=str(Path(sys.executable).parent)) or 'saol_lite'
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}   # tiny models: one thread is enough, and far faster on a shared, loaded CPU

@pytest.fixture(scope='module')
def ds(): return load_dataset('synthetic', 'test', n=16)

@pytest.mark.parametrize('head, maps', [('ltpa', ['att1', 'att2', 'att3']), ('abn', ['att_map', 'att_cam'])])
def test_11_explore_any_head(ds, head, maps):
    torch.manual_seed(0)
    model = create_model('resnet8', head, 10).eval()
    ex = AttentionExplorer(model, ds, channel_stats(ds.x))
    assert [t.split('\n')[0].split(' [')[0] for t, _ in ex.shown['panels']] == ['image'] + maps
    assert {a.shape for _, a in ex.shown['panels']} == {(128, 128, 3)}              # every map upsampled to the image
    before = [c.children[0].value for c in ex.panels.children]
    ex.index.value = 3; ex.cls.value = 2
    assert ex.shown['index'] == 3 and ex.shown['cls'] == 2
    assert [c.children[0].value for c in ex.panels.children][0] != before[0]
    fig = explain_figure(explain(model, ds.x[0], channel_stats(ds.x)), 1, ds.classes)
    assert len(fig.axes) == len(maps) + 2                                              # image, maps, top-5

def test_11_explore_explain_command(tmp_path):
    run = tmp_path/'run'
    r = subprocess.run([EXE, 'train', '--arch', 'resnet8', '--head', 'saol', '--epochs', '1', '--bs', '64', '--limit-train', '128',
                        '--limit-test', '32', '--no-progress', '--out', str(run)], capture_output=True, text=True, timeout=600, env=ENV)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([EXE, 'explain', str(run/'last.pt'), '--images', '0:16', '--out', str(tmp_path/'grid.png')],
                       capture_output=True, text=True, timeout=600, env=ENV)
    assert r.returncode == 0 and 'wrote' in r.stdout and '16 images, 3 maps each' in r.stdout, r.stderr
    assert (tmp_path/'grid.png').read_bytes()[:4] == b'\x89PNG'
    r = subprocess.run([EXE, 'explain', str(run/'last.pt'), '--images', '0:x'], capture_output=True, text=True, timeout=600, env=ENV)
    assert r.returncode == 1 and r.stderr.startswith('saol_lite: error: --images takes a slice') and r.stderr.count('\n') == 1, r.stderr
    r = subprocess.run([EXE, 'explain', str(tmp_path/'none.pt')], capture_output=True, text=True, timeout=600, env=ENV)
    assert r.returncode == 1 and 'no checkpoint at' in r.stderr and r.stderr.count('\n') == 1, r.stderr
    assert 'explain' in subprocess.run([EXE, '--help'], capture_output=True, text=True).stdout
