#!/usr/bin/env python
"""The decisive test's table and decision (protocol and rule: experiments/decisive.sh, notebook 10_distill).

    python tools/decisive_report.py results/decisive-gpu      # Markdown on stdout; exit 0 also while pending
"""
import sys
from saol_lite.distill import decisive_report

if __name__ == '__main__':
    if len(sys.argv) != 2: sys.exit(__doc__)
    print(decisive_report(sys.argv[1])[0])
