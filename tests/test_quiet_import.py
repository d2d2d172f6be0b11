"""``import journeysim`` is quiet: no plotting, table or Hydra library, and the user's backend stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("matplotlib", "pandas", "hydra", "omegaconf", "scipy", "mesa", "rich")


def python(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**clean, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_journeysim_loads_no_heavy_library() -> None:
    code = ("import sys, json, journeysim\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    assert json.loads(python(code)) == []


def test_the_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    import journeysim

    assert journeysim.__version__ == version("journeysim")


def test_the_api_loads_on_first_use() -> None:
    code = "import journeysim\nfrom journeysim import simulate, Result\nprint(simulate.__module__, Result.__name__)"
    assert python(code).split() == ["journeysim.api", "Result"]


def test_importing_the_faces_keeps_the_users_matplotlib_backend() -> None:
    """svg is the user's choice here; no import (API, figures, outputs, what-if plots, reports) switches it."""
    code = ("import matplotlib\nmatplotlib.use('svg')\nbefore = matplotlib.get_backend()\n"
            "import journeysim, journeysim.api, journeysim.plots, journeysim.outputs, journeysim.report\n"
            "import journeysim.scenarios.plots, journeysim.experiments.plots\n"
            "print(before, matplotlib.get_backend())")
    before, after = python(code).split()
    assert before == after == "svg"


def test_writing_a_runs_figures_keeps_the_users_backend(tmp_path) -> None:
    code = ("import matplotlib\nmatplotlib.use('svg')\nimport journeysim\n"
            f"journeysim.simulate(overrides={{'population.size': 500, 'days': 20}}, path={str(tmp_path)!r}, "
            "figures=True)\nprint(matplotlib.get_backend())")
    assert python(code).strip() == "svg"
    assert (tmp_path / "stages.png").stat().st_size > 1000
