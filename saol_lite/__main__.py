"`python -m saol_lite`: the same as the `saol_lite` command (written by hand: nbdev 2 can only export to modules a notebook owns)."
import sys
from saol_lite.cli import main

if __name__ == '__main__': sys.exit(main())
