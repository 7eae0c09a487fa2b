#!/usr/bin/env bash
# The oldest PyTorch and Python that setup.py admits, tested: a fresh virtual environment with them, saol_lite[dev]
# installed beside, and the test command of README.md's Quick start (every notebook and tests/ under pytest).
#
#   bash tools/torch_floor.sh                                  # torch 2.4.0 on python3.10, the floor settings.ini states
#   PY=python3.11 TORCH=2.13.0 bash tools/torch_floor.sh       # any other pair
#
# Not run by CI (.ci/run tests torch 2.13.0 only): PyPI's torch wheels for Linux are CUDA builds, about 3.5 GB with
# their NVIDIA libraries (they run on a CPU too). Run it after a change that may touch what older PyTorch lacks, and
# note in README.md's Versions line what it gave. NUMPY pins NumPy as the floor was tested (1.x, from torch 2.4's time).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3.10}; TORCH=${TORCH:-2.4.0}; NUMPY=${NUMPY:-numpy<2}
venv=${VENV:-$(mktemp -d)/venv}
"$PY" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "torch==$TORCH" "$NUMPY"
"$venv/bin/python" -m pip install -q -e ".[dev]"
"$venv/bin/python" -c "import sys, torch, numpy; print('python', sys.version.split()[0], '| torch', torch.__version__, '| numpy', numpy.__version__)"
"$venv/bin/python" -m pytest -q tests -p no:cacheprovider
