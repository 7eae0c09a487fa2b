"""More than one process: two CPU processes on gloo, as `torchrun --nproc_per_node 2` starts them.

What is checked, on a ResNet-8 and 64 synthetic 16×16 images (global batch 16, 4 steps a run):
- the ranks stay in sync: identical weights and buffers at the end, the same metrics on both;
- the run equals a single process with the same global batch that computes batch-norm statistics per
  half-batch ("ghost batches", which is what per-rank batch norm means): losses and weights to 1e-5
  relative. Only float32 summation order can differ (DDP averages two gradients where one process
  sums the gradients of two halves): measured, the weights came out bit-identical and the epoch
  losses 4e-8 apart;
- against a plain single process (statistics over the whole batch of 16) only a loose 2e-2 on the
  epoch losses holds (measured: 1.6e-3 and 2.6e-3): batch norm over 8 images instead of 16 is a
  different computation, and SyncBatchNorm, which would make it the same, exists in PyTorch for
  GPUs only (`--sync-bn` on CUDA);
- these runs use airbench's training tricks (Lookahead every 3 steps, batch-norm scales frozen, batch-norm
  shifts at 4x the learning rate), so the checks above cover them under DDP too;
- `torchrun ... -m saol_lite train` runs end to end (with the full SAOL recipe: CutMix, L_ss1, L_ss2's
  no-grad clean forward, self-distillation; and Lookahead and multi-crop TTA) and only rank 0 writes and prints;
- a gradient-free forward through the step's DDP model (L_ss2's clean pass) runs the model alone, with no collective:
  DDP's own forward broadcast rank 0's buffers first, and in PyTorch 2.1 and 2.4 that in-place write broke the backward
  of the step's training forward;
- and so does airbench's second round on its network (the whitening bias held after the first epoch, batch-norm
  momentum, the triangle schedule): the held bias stays put under DDP while the rest trains;
"""
import json, os, socket, subprocess, sys
from dataclasses import replace
import pytest, torch

WORKER = r'''
import sys, torch
from saol_lite.data import make_synthetic
from saol_lite.config import Config
from saol_lite.train import train
from saol_lite.dist import exit_worker, run_parts
cfg = Config(**eval(sys.argv[1]))
t = train(cfg, data=(make_synthetic(64, seed=1, size=16), make_synthetic(32, seed=2, size=16)), parts=run_parts(cfg))
torch.save(dict(model=t.model.state_dict(), history=t.history, trainer=t.parts.name, rank=t.rank, world=t.world), sys.argv[2])
exit_worker(0)                  # as `saol_lite train` ends under torchrun: see its docstring for why
'''
CFG = dict(arch='resnet8', bs=16, epochs=2, lr=0.05, progress=False, fast='on', lookahead=3, bn_scales=False, bn_lr=4.0)   # with airbench's training tricks
TIMEOUT = 300

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def env(**kw):
    return os.environ | {'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'} | {k: str(v) for k, v in kw.items()}

@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    "Run the two ranks once for the tests below; their saved states"
    d, port = tmp_path_factory.mktemp('ddp'), free_port()
    procs = [subprocess.Popen([sys.executable, '-c', WORKER, repr(CFG), str(d/f'rank{r}.pt')], stderr=subprocess.PIPE, text=True,
                              env=env(MASTER_ADDR='127.0.0.1', MASTER_PORT=port, RANK=r, WORLD_SIZE=2, LOCAL_RANK=r)) for r in (0, 1)]
    errs = [p.communicate(timeout=TIMEOUT)[1] for p in procs]
    for p, e in zip(procs, errs): assert p.returncode == 0, e[-3000:]
    return [torch.load(d/f'rank{r}.pt', weights_only=True) for r in (0, 1)]

def single(loss_fn=None):
    "The same run in this process, one rank"
    from saol_lite.data import make_synthetic
    from saol_lite.config import Config
    from saol_lite.train import train
    from saol_lite.fast import parts_for
    torch.set_num_threads(1)
    return train(Config(**CFG), loss_fn=loss_fn, data=(make_synthetic(64, seed=1, size=16), make_synthetic(32, seed=2, size=16)),
                 parts=parts_for(Config(**CFG)))

def ghost_batches(cfg_kw):
    "Cross-entropy computed on each half of the batch separately and averaged: per-rank batch norm in one process"
    from saol_lite.config import Config
    from saol_lite.train import cross_entropy_loss
    ce = cross_entropy_loss(Config(**cfg_kw))
    def loss_fn(model, xb, yb):
        h = len(yb)//2
        (l0, o0, _), (l1, o1, _) = ce(model, xb[:h], yb[:h]), ce(model, xb[h:], yb[h:])
        return (l0 + l1)/2, torch.cat([o0, o1]), {}
    return loss_fn

def test_ranks_in_sync(ranks):
    r0, r1 = ranks
    assert (r0['rank'], r1['rank'], r0['world'], r0['trainer']) == (0, 1, 2, 'fast')
    for k, v in r0['model'].items(): assert torch.equal(v, r1['model'][k]), k           # bit for bit, buffers too
    drop_time = lambda h: [{k: v for k, v in r.items() if k != 'seconds'} for r in h]
    assert drop_time(r0['history']) == drop_time(r1['history'])                         # metrics reduced over ranks

def test_matches_ghost_batch_single_process(ranks):
    ref = single(ghost_batches(CFG))
    for a, b in zip(ranks[0]['history'], ref.history):
        for k in ('train_loss', 'train_acc'): assert a[k] == pytest.approx(b[k], rel=1e-5, abs=1e-6), (k, a[k], b[k])
    sd = ref.model.state_dict()
    for k, v in ranks[0]['model'].items():
        if k.endswith(('weight', 'bias')):                                             # parameters; running stats are per rank
            assert torch.allclose(v, sd[k], rtol=1e-5, atol=1e-6), (k, (v - sd[k]).abs().max())

def test_close_to_plain_single_process(ranks):
    ref = single()
    for a, b in zip(ranks[0]['history'], ref.history):
        assert a['train_loss'] == pytest.approx(b['train_loss'], rel=2e-2), (a['train_loss'], b['train_loss'])
    assert ranks[0]['history'][-1]['test_acc'] is not None

NO_GRAD_WORKER = r'''
import json, torch, torch.nn as nn
from saol_lite.dist import GROUPS, StepDDP, Torchrun, exit_worker
ranks = Torchrun(torch.device('cpu'))
assert GROUPS == [torch.distributed.group.WORLD]     # kept until the process ends (exit_worker's docstring)
torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4, momentum=0.0), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
step_model = ranks.wrap(m); assert isinstance(step_model, StepDDP)
x = torch.randn(4, 3, 8, 8)
out = step_model(x)                                   # a training forward, through DDP
m[1].running_mean.data.fill_(float(ranks.rank))       # each rank's own statistics (momentum 0: a forward leaves them as they are)
with torch.no_grad(): clean = step_model(x)           # the clean pass of L_ss2
kept = m[1].running_mean.tolist()
out.sum().backward()                                  # the first forward's backward still works after it
with torch.no_grad(): assert torch.equal(clean, m(x))
print(json.dumps(dict(rank=ranks.rank, kept=kept, grad=m[0].weight.grad.abs().sum().item())))
exit_worker(0)
'''

def test_gradient_free_forward_skips_ddp():
    "L_ss2's clean pass through the step's DDP model runs no collective: each rank's buffers stay its own (DDP's forward would broadcast rank 0's first)"
    port = free_port()
    procs = [subprocess.Popen([sys.executable, '-c', NO_GRAD_WORKER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env(MASTER_ADDR='127.0.0.1', MASTER_PORT=port, RANK=r, WORLD_SIZE=2, LOCAL_RANK=r)) for r in (0, 1)]
    outs = [p.communicate(timeout=TIMEOUT) for p in procs]
    for p, (o, e) in zip(procs, outs): assert p.returncode == 0, e[-3000:]
    got = [json.loads(o.strip().splitlines()[-1]) for o, _ in outs]
    for r, g in enumerate(got): assert g['rank'] == r and g['kept'] == [float(r)]*4 and g['grad'] > 0, got

def test_torchrun_cli(tmp_path):
    out = tmp_path/'run'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1', '--master_port', str(free_port()),
           '-m', 'saol_lite', 'train', '--arch', 'resnet8', '--head', 'saol', '--cutmix', '1', '--ss1', '1', '--ss2', '1', '--sd', '0.5',
           '--epochs', '1', '--bs', '32', '--limit-train', '64', '--limit-test', '32', '--no-progress', '--out', str(out),
           '--lookahead', '2', '--no-bn-scales', '--bn-lr', '8', '--tta', '--tta-shift', '1']
    r = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('test accuracy') == 1 and 'x 2 processes' in r.stdout, r.stdout          # rank 0 speaks
    m = json.loads((out/'metrics.json').read_text())
    assert (m['world_size'], m['trainer'], m['n_train'], m['n_test']) == (2, 'fast', 64, 32)
    assert {'train_nll', 'train_ss1', 'train_ss2', 'train_sd'} <= set(m['history'][-1])          # the full recipe, under DDP
    assert (out/'last.pt').is_file() and not list(out.glob('.*.tmp'))
    assert (m['config']['lookahead'], m['config']['tta_shift'], m['config']['bn_scales']) == (2, 1, False)
    assert 'lookahead' in torch.load(out/'last.pt', weights_only=True)                       # the slow weights, for an exact resume

def test_torchrun_held_whitening_bias(tmp_path):
    "airbench's second set of tricks under DDP: the whitening bias trained for 2 epochs, then held (by a learning rate of 0, so DDP sees the same parameters throughout); batch-norm momentum; the triangle schedule"
    from saol_lite.config import Config
    from saol_lite.train import lr_at
    out = tmp_path/'air'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1', '--master_port', str(free_port()),
           '-m', 'saol_lite', 'train', '--arch', 'airnet_small', '--head', 'saol', '--epochs', '3', '--bs', '32', '--limit-train', '64',
           '--limit-test', '32', '--no-progress', '--out', str(out), '--keep-ckpts', '3', '--whiten-bias-epochs', '2', '--bn-momentum', '0.4',
           '--schedule', 'triangle', '--no-bn-scales', '--bn-lr', '8']
    r = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr[-3000:]
    e1, e2, e3 = (torch.load(out/f'epoch-00{i}.pt', weights_only=True) for i in (1, 2, 3))
    bias, shift = 'backbone.stem.conv.bias', 'backbone.stages.0.bn1.bias'
    assert not torch.equal(e1['model'][bias], e2['model'][bias])                             # trained in epoch 2
    assert torch.equal(e2['model'][bias], e3['model'][bias])                                 # held in epoch 3
    assert not torch.equal(e2['model'][shift], e3['model'][shift])                           # while the rest trained on
    assert [g.get('early', False) for g in e3['opt']['param_groups']].count(True) == 1
    cfg = Config(**e3['config'])
    assert (cfg.whiten_bias_epochs, cfg.bn_momentum, cfg.schedule) == (2, 0.4, 'triangle')
    steps = e3['step']                                                                        # 2 a epoch: 64 images, global batch 32
    assert steps == 6 and e3['history'][-1]['lr'] == pytest.approx(lr_at(steps - 1, steps, cfg, 2))   # the triangle's last step
