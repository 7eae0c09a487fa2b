#!/usr/bin/env python
"""Benchmarks of saol_lite's training step; the same as `saol_lite bench` (appendix 92_bench builds it).

Prints Markdown (the machine, the torch version, the date, the load, the exact command, then a table)
to paste into benchmarks/RESULTS.md. Speed is measured here, never asserted by a test.

    # throughput: the fast parts vs the DataLoader loop users would write, MFU; {GAP-FC, SAOL, SAOL+SS+SD} x {ResNet-20, -56, -18}
    python benchmarks/bench.py --workers 8
    # the same at CPU scale (what RESULTS.md records for this machine)
    OMP_NUM_THREADS=1 python benchmarks/bench.py --device cpu --archs resnet20 --bs 64 --steps 2 --runs 5 --n-train 5000
    # time to accuracy: ResNet-18 + SAOL on CIFAR-10, the `speedrun` preset, three seeds (GPU)
    python benchmarks/bench.py --mode time-to-acc --seeds 0 1 2
    python benchmarks/bench.py --mode time-to-acc --set ema=0 tta=false   # what EMA and TTA bought
"""
import sys
from saol_lite.cli import main

if __name__ == '__main__': sys.exit(main(['bench', *sys.argv[1:]]))
