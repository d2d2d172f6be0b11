"""Deprecated: budget optimisation moved to :mod:`journeysim.experiments.optimisation` (one module per concept).

Every old name still works here, with a DeprecationWarning when this module is imported.
"""

import sys
import warnings

from journeysim.experiments.optimisation import *  # noqa: F403
from journeysim.experiments.optimisation import __all__ as _moved
from journeysim.experiments.optimisation.cli import parser, plan_from_args

__all__ = [*_moved, "parser", "plan_from_args"]

warnings.warn("journeysim.experiments.optimise is deprecated: use journeysim.experiments.optimisation",
              DeprecationWarning, stacklevel=2)

if __name__ == "__main__":
    sys.exit(main())  # noqa: F405
