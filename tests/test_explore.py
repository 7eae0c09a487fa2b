"The explorer with the heads of later notebooks (which notebook 11 may not import), its scales and its prediction cache, and `saol_lite explain` in a fresh process."
import os, shutil, subprocess, sys
from pathlib import Path
import numpy as np
import pytest, torch
from matplotlib import colormaps
from saol_lite.data import channel_stats, load_dataset
from saol_lite.heads import create_model
from saol_lite.config import Config
from saol_lite.train import train
from saol_lite.explore import Explained, explain, explain_figure, explain_panels, overlay
from saol_lite.explorer import AttentionExplorer

EXE = shutil.which('saol_lite', path=str(Path(sys.executable).parent)) or 'saol_lite'
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}   # tiny models: one thread is enough, and far faster on a shared, loaded CPU

@pytest.fixture(scope='module')
def ds(): return load_dataset('synthetic', 'test', n=16)

@pytest.mark.parametrize('head, maps', [('ltpa', ['att1', 'att2', 'att3']), ('abn', ['att_map', 'att_cam'])])
def test_11_explore_any_head(ds, head, maps):
    torch.manual_seed(0)
    model = create_model('resnet8', head, 10).eval()
    ex = AttentionExplorer(model, ds, channel_stats(ds.x))
    assert [p.title.split('\n')[0].split(' [')[0] for p in ex.shown['panels']] == ['image'] + maps
    assert {p.rgb.shape for p in ex.shown['panels']} == {(128, 128, 3)}              # every map upsampled to the image
    assert all(p.vrange is not None and p.vrange[0] < p.vrange[1] for p in ex.shown['panels'][1:])   # every map has a scale...
    assert all('linear-gradient' in c.children[1].value for c in ex.panels.children[1:])           # ...and shows its colour bar
    before = [c.children[0].value for c in ex.panels.children]
    ex.index.value = 3; ex.cls.value = 2
    assert ex.shown['index'] == 3 and ex.shown['cls'] == 2
    assert [c.children[0].value for c in ex.panels.children][0] != before[0]
    fig = explain_figure(explain(model, ds.x[0], channel_stats(ds.x)), 1, ds.classes)
    assert len([ax for ax in fig.axes if ax.get_label() != 'colour bar']) == len(maps) + 2   # image, maps, top-5
    assert len([ax for ax in fig.axes if ax.get_label() == 'colour bar']) == len(maps)       # a colour bar per map

def test_11_explore_contributions_compare_across_classes(ds):
    "A sure class and a ruled-out one: on [0, 1] the ruled-out contribution is dark, stretched to its own range it would glow"
    attn = torch.full((8, 8), 0.2/63); attn[2, 5] = 0.8                                 # peaked attention, sums to 1
    Y = torch.full((2, 8, 8), 0.5); Y[0, 2, 5], Y[1, 2, 5] = 1 - 1e-3, 1e-3             # the attended cell says class 0
    C = attn*Y; probs = C.sum((1, 2))
    e = Explained(ds.x[0], probs, {'attention': attn, 'class_probs': Y, 'contribution': C})
    sure, ruled_out = (explain_panels(e, k, ['a', 'b'], alpha=1.) for k in (0, 1))
    assert [p.vrange for p in sure] == [(0., 1.)]*3 and [p.vrange for p in ruled_out] == [(0., 1.)]*3
    zero = (np.array(colormaps['jet'](0.)[:3])*255).round()
    off = lambda a: np.abs(a.astype(float) - zero).max()
    assert off(sure[2].rgb) > 100 and off(ruled_out[2].rgb) < 60                        # comparable: the ruled-out class stays dark
    assert off(overlay(e.img, C[1], 1.)) > 100                                          # what per-map stretching would have shown
    assert 'nearly uniform' not in sure[0].title
    flat = Explained(ds.x[0], probs, {'attention': torch.full((8, 8), 1/64)})
    assert 'nearly uniform: 0.016 to 0.016 (1/64 = 0.016)' in explain_panels(flat, 0, ['a', 'b'])[0].title

def test_11_explore_filters_use_the_cached_predictions(tmp_path, ds):
    "The whole-dataset predictions behind 'misclassified only' are computed once per checkpoint, never on a filter toggle"
    threads = torch.get_num_threads(); torch.set_num_threads(1)
    try:
        train(Config(arch='resnet8', head='saol', limit_train=64, limit_test=16, epochs=2, bs=32, keep_ckpts=2,
                     out=str(tmp_path/'run'), progress=False))
        ex = AttentionExplorer.from_run(tmp_path/'run', dataset=ds)
        assert set(ex._preds) == {1}                                                    # the shown checkpoint's, at once
        ex.ckpt.value = 0; assert set(ex._preds) == {0, 1}                              # a first visit computes its own
        kept, sizes = dict(ex._preds), []
        hooks = [m.register_forward_pre_hook(lambda mod, args: sizes.append(len(args[0]))) for m, _ in ex._models.values()]
        try:
            for c in (1, 0, 1):
                ex.ckpt.value = c
                for on in (True, False, True): ex.wrong.value = on
                assert torch.equal(ex.order, (ex.predictions() != ds.y).nonzero()[:, 0])
                ex.wrong.value = False
        finally:
            for h in hooks: h.remove()
        assert sizes and max(sizes) == 1, sizes                                         # only the images viewed: no pass over the set
        assert all(ex._preds[c] is kept[c] for c in kept)
    finally: torch.set_num_threads(threads)

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
