"""The fast path gives the teaching path's loss on the same batch and seed (notebook 12 explains the tolerances).

- the batches: identical labels, images to 1e-5 (bit-identical uint8 crops; the fused normalisation is
  one ulp away from `normalize`);
- fast path in float32 vs teaching path: first-step loss to 1e-5 relative (measured 0 to 1e-7);
- fast path in bf16 (autocast) vs teaching path in float32: 1e-2 relative (bf16 keeps 8 significant
  bits; measured about 1e-4 on a CPU);
- a short float32 run: epoch losses and weights to 1e-3 relative (SGD amplifies the ulp over steps).
Speed itself is never asserted here: benchmarks/ measures it.
"""
from dataclasses import replace
import pytest, torch
from saol_lite.data import make_synthetic
from saol_lite.heads import create_model
from saol_lite.train import Config, autocast, model_options, trainer_class

DATA = make_synthetic(48, seed=1, size=16), make_synthetic(16, seed=2, size=16)
BASE = dict(arch='resnet8', bs=16, epochs=1, progress=False, lr=0.05)
RECIPES = {'gapfc': dict(head='gapfc'), 'saol+ss+sd': dict(head='saol', cutmix=1.0, ss1=1.0, ss2=1.0, sd=0.5)}

def trainer(**kw):
    cfg = Config(**BASE, **kw); cfg = replace(cfg, head_args=model_options(cfg)); torch.manual_seed(cfg.seed)
    return trainer_class(cfg)(create_model(cfg.arch, cfg.head, 10, **cfg.head_args), *DATA, cfg)

def first_loss(t):
    xb, yb = next(iter(t.train_dl)); torch.manual_seed(123)          # CutMix draws from the global generator
    with autocast(t.device, t.cfg.precision): loss, _, terms = t.loss_fn(getattr(t, 'step_model', t.model).train(), xb, yb)
    return xb.float(), yb, loss.item(), set(terms)

@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1); yield; torch.set_num_threads(n)

@pytest.mark.parametrize('recipe', list(RECIPES))
@pytest.mark.parametrize('precision, tol', [('fp32', 1e-5), ('bf16', 1e-2)])
def test_same_loss_same_batch(recipe, precision, tol):
    teach = trainer(**RECIPES[recipe], fast='off', precision='fp32', channels_last='off')
    fast = trainer(**RECIPES[recipe], fast='on', precision=precision, channels_last='on')
    assert type(teach).__name__ == 'Trainer' and type(fast).__name__ == 'SpeedTrainer'
    (xt, yt, lt, tt), (xf, yf, lf, tf) = first_loss(teach), first_loss(fast)
    assert torch.equal(yt, yf) and torch.allclose(xt, xf, rtol=0, atol=1e-5) and tt == tf
    assert abs(lf - lt) <= tol*abs(lt), (lt, lf)

def test_short_run_float32():
    runs = []
    for fast in ('off', 'on'):
        t = trainer(**RECIPES['saol+ss+sd'], fast=fast, precision='fp32', channels_last='off')
        torch.manual_seed(7); runs.append((t.train_epoch(), t.model.state_dict()))
    (ht, wt), (hf, wf) = runs
    for k, v in ht.items(): assert hf[k] == pytest.approx(v, rel=1e-3, abs=1e-6), k
    for k, v in wt.items():
        if v.is_floating_point(): assert torch.allclose(wf[k], v, rtol=1e-3, atol=1e-3*max(1., v.abs().max().item())), k
