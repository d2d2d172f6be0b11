"""journey --multirun composes each job's config once (hydra/sweeper=journeysim), and the config groups of
jobs that choose the same groups once per process, with the same results."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.utils import create_config_search_path
from hydra.errors import ConfigCompositionException
from hydra.types import RunMode

from hydra_plugins.journeysim_sweeper.compose_once import DerivedConfigs
from journeysim import cli

CHEAP = ("population.size=1000", "days=20", "outputs.figures=false", "outputs.tables=false",
         "outputs.progress=false", "hydra.callbacks.compare.figures=false")


@pytest.fixture
def compositions(monkeypatch) -> list[list[str]]:
    """The sweep overrides of every job config Hydra composes in this process."""
    seen: list[list[str]] = []
    original = ConfigLoaderImpl.load_sweep_config

    def counted(self, master_config, sweep_overrides):
        seen.append(list(sweep_overrides))
        return original(self, master_config, sweep_overrides)

    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config", counted)
    return seen


def seeds(compositions: list[list[str]]) -> list[str]:
    """The seed override of each composed job, in composition order."""
    return [next(o for o in overrides if o.startswith("seed=")) for overrides in compositions]


def kpis(sweep: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text())["kpis"] for p in sorted(sweep.rglob("summary.json"))}


def test_a_sweep_composes_the_config_groups_of_its_jobs_once(tmp_path: Path, compositions, monkeypatch) -> None:
    """Six jobs over two scenarios: one composition per scenario, each job a copy with its seed set."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    argv = ["--multirun", "scenario=baseline,spring_sale", "seed=0,1,2", *CHEAP]
    assert cli.main([*argv, f"hydra.sweep.dir={tmp_path}"]) == 0
    assert sorted(compositions) == [["scenario=baseline"], ["scenario=spring_sale"]]
    seeds_run = sorted(json.loads(p.read_text())["seed"] for p in tmp_path.rglob("summary.json"))
    assert seeds_run == [0, 0, 1, 1, 2, 2]


@pytest.fixture(scope="module")
def sweep_loader():
    """Hydra's config loader of a ``journey --multirun`` and its master config."""
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path("pkg://journeysim.conf"))
    master = loader.load_configuration("config", overrides=["hydra/launcher=joblib", "hydra.sweep.dir=/tmp/s"],
                                       run_mode=RunMode.MULTIRUN)
    return loader, master


JOBS = (["seed=3"], ["seed=3", "population.size=500"], ["scenario=spring_sale", "seed=2"],
        ["seed=1", "scenario=spring_sale"], ["population=b2b", "seed=5"], ["market={checkout_friction:0.1}", "seed=1"],
        ["~outputs.event_log_sample", "seed=2"], ["+market.extra=3", "seed=0"], ["days=${population.size}"])


@pytest.mark.parametrize("overrides", JOBS, ids=lambda o: ",".join(o))
def test_a_derived_job_config_is_hydras_composition_byte_for_byte(sweep_loader, overrides: list[str]) -> None:
    """Values, deletions, additions, dictionaries merged, interpolations and group choices in any order:
    the copy with the job's values set pickles to the bytes of Hydra's own composition (every node,
    type, flag and the resolver cache), the second time (from the kept composition) as the first."""
    loader, master = sweep_loader
    derived = DerivedConfigs(loader, "one sweep")
    hydra = pickle.dumps(loader.load_sweep_config(master, overrides))
    assert pickle.dumps(derived.load_sweep_config(master, overrides)) == hydra
    assert pickle.dumps(derived.load_sweep_config(master, overrides)) == hydra


def test_a_worker_composes_a_sweeps_config_groups_once_across_its_jobs(sweep_loader, compositions) -> None:
    """A worker re-creates Hydra's plugin registry before each job (``Singleton.set_state``), which
    executes this plugin's module again: the composition kept by the first job survives it."""
    from hydra.core.singleton import Singleton

    loader, master = sweep_loader
    derived = DerivedConfigs(loader, "a sweep in a worker")
    for seed in range(3):
        Singleton.set_state(Singleton.get_state())  # what hydra_joblib_launcher's execute_job does first
        assert derived.load_sweep_config(master, [f"seed={seed}"]).seed == seed
    assert compositions == [[]]


@pytest.mark.parametrize("overrides", [["market.no_such_key=1"], ["+seed=1"]], ids=lambda o: o[0])
def test_a_derived_job_config_fails_as_hydras_composition_does(sweep_loader, overrides: list[str]) -> None:
    loader, master = sweep_loader
    with pytest.raises(ConfigCompositionException) as hydra:
        loader.load_sweep_config(master, overrides)
    with pytest.raises(ConfigCompositionException) as derived:
        DerivedConfigs(loader, "one sweep").load_sweep_config(master, overrides)
    assert str(derived.value) == str(hydra.value)


def test_a_sweep_on_a_parallel_launcher_composes_only_its_first_job_here(tmp_path: Path, compositions,
                                                                          monkeypatch) -> None:
    """The workers compose their own jobs; this process checks the overrides on the first job only."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    args = ["--multirun", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "seed=0,1,2", *CHEAP]
    assert cli.main([*args, f"hydra.sweep.dir={tmp_path / 'joblib'}"]) == 0
    assert seeds(compositions) == ["seed=0"]
    assert cli.main(["--multirun", "seed=0,1,2", *CHEAP, f"hydra.sweep.dir={tmp_path / 'basic'}"]) == 0
    assert kpis(tmp_path / "joblib") == kpis(tmp_path / "basic")


def test_a_sweep_with_an_unknown_key_stops_before_its_first_job(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--multirun", "hydra/launcher=joblib", "seed=0,1", "market.no_such_key=1", *CHEAP,
                  f"hydra.sweep.dir={tmp_path}"])
    assert stopped.value.code == 2
    assert "no_such_key" in capsys.readouterr().err
    assert not list(tmp_path.rglob("summary.json"))


def outputs(sweep: Path) -> dict[str, bytes]:
    """Every run's tables and summary, by path inside the sweep."""
    files = [*sweep.glob("*/*/*.csv"), *sweep.glob("*/*/summary.json")]
    return {str(p.relative_to(sweep)): p.read_bytes() for p in sorted(files)}


def test_a_sweep_on_a_local_dask_cluster_writes_the_bytes_of_a_sweep_in_process(tmp_path: Path, capfd,
                                                                                 monkeypatch) -> None:
    """hydra/launcher=dask: joblib's Dask backend on a LocalCluster journey starts and stops."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    argv = ["--multirun", "hydra/launcher=dask", "seed=0,1", *CHEAP, f"hydra.sweep.dir={tmp_path / 'dask'}"]
    assert cli.main(argv) == 0
    assert "backend=dask" in capfd.readouterr().out  # the launcher kept the backend (Hydra's runs loky)
    assert cli.main(["--multirun", "seed=0,1", *CHEAP, f"hydra.sweep.dir={tmp_path / 'basic'}"]) == 0
    dask = outputs(tmp_path / "dask")
    assert len(dask) == 2 and dask == outputs(tmp_path / "basic")  # the summaries, byte for byte
