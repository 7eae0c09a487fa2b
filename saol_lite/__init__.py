__version__ = "0.1.0"

# The composition root, written by hand (appendix 93_cli says why). Importing saol_lite imports every module, lowest
# first, as timm's models/__init__.py does: each registers what it defines (architectures, heads, losses) in the registry
# of a module below it, so every name is there whichever module a user imports. The command line is put together in
# `cli`, the last module. No module imports one above it: tests/test_library.py checks that, and that this list is complete.
from . import data, stats, models, heads, gradcam, config, train, report, demo          # 00-03b
from . import spatial_logits, attention, saol, decoder, saol_head, cost, localize      # 04-07c
from . import cutmix, self_supervision, distill, explore, fast, airnet                 # 08-12a
from . import ltpa, sge, abn, sharpen, compare                                         # 13-17
from . import dist, bench, explorer, cli                                               # appendices 91-94

# What a researcher needs to put the course's output layers on a network of their own, at the top level
# (README, *Using saol_lite in your own code*); everything else stays in its module.
from .models import Stages, Classifier, register_arch
from .heads import GAPFCHead, create_model, model_maps, show_maps
from .saol import SAOLOut
from .saol_head import SAOLHead
from .data import SaolError
from .config import Config
from .train import load_model      # not `train` itself: saol_lite.train is the module (from saol_lite.train import train)
__all__ = ['Stages', 'Classifier', 'register_arch', 'GAPFCHead', 'create_model', 'model_maps', 'show_maps', 'SAOLOut', 'SAOLHead',
           'SaolError', 'Config', 'load_model']
