#!/usr/bin/env python
"""Images/s of one training recipe with the fast parts (notebook 12), measured for a fixed time; used by experiments/gpu.sh
to size the GPU sweep (several of these run at once, as the sweep's runs will, so that the figure includes
the sharing of one GPU). Synthetic images: the step's cost does not depend on what the pixels show.

    python tools/gpu_probe.py --arch resnet56 --seconds 20 head=saol cutmix=0.5 ss1=1 ss2=1 > probe.json
"""
import argparse, json, time
from dataclasses import replace
import torch
from saol_lite.data import load_dataset
from saol_lite.config import Config
from saol_lite.train import model_options
from saol_lite.bench import fast_runner, _value

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', default='resnet56'); ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--seconds', type=float, default=20.0, help='timed seconds, after 3 untimed runs')
    ap.add_argument('--steps', type=int, default=10, help='steps per run')
    ap.add_argument('settings', nargs='*', metavar='KEY=VALUE', help='Config fields of the recipe, e.g. head=saol sd=0.5')
    a = ap.parse_args()
    kw = {k: _value(v) for k, v in (s.split('=', 1) for s in a.settings)}
    cfg = Config(arch=a.arch, bs=a.bs, progress=False, **kw); cfg = replace(cfg, head_args=model_options(cfg))
    run, t = fast_runner(cfg, load_dataset('synthetic', 'train', n=4096), a.steps)
    sync = torch.cuda.synchronize if t.device.type == 'cuda' else (lambda: None)
    for _ in range(3): run()
    sync(); t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < a.seconds: run(); sync(); n += 1
    dt = time.perf_counter() - t0
    print(json.dumps(dict(arch=a.arch, bs=a.bs, settings=kw, steps=n*a.steps, seconds=round(dt, 2),
                          img_s=round(n*a.steps*a.bs/dt, 1), device=str(t.device))))

if __name__ == '__main__': main()
