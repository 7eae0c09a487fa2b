import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'

def shared_cifar(name):
    "The CIFAR copy beside the project, or a pytest skip saying why it is missing"
    folder = SHARED/name/{'cifar10': 'cifar-10-batches-bin', 'cifar100': 'cifar-100-binary'}[name]
    if not folder.is_dir(): pytest.skip(f'real {name} data not found at {folder} (expected ../shared/data beside the repo)')
    return folder
