# journeysim: every target sets itself up from a fresh clone (venv, dependencies, browser).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-robust test-ray test-meridian test-mmm arena test-arena bench lint browser clean app validate docs docs-data contracts

# uv installs with --compile-bytecode, as pip does: where PYTHONDONTWRITEBYTECODE is set (CI), a process would
# otherwise compile pandas, SciPy, numba and Hydra afresh each time it starts (4 s more for a journey run)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv  # uv resolves and installs the same versions as pip, in a third of the time
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --upgrade pip -e '.[dev]' \
		|| $(BIN)/python -m pip install --quiet --upgrade pip -e '.[dev]'  # pip if uv fails (cannot reach its index)
	$(BIN)/uv cache prune --quiet || true  # each install rebuilds solara-assets' sdist, ~2 GB of cache that no later install reads
	touch $(STAMP)

## demo: run the default journey scenario and the Bass check; print KPIs, write figures
demo: $(STAMP)
	$(BIN)/journey hydra.run.dir=outputs/demo/baseline
	$(BIN)/journey scenario=bass population.size=200000 days=3650 hydra.run.dir=outputs/demo/bass
	@echo "figures: outputs/demo/baseline/*.png and outputs/demo/bass/adoption.png"

## test: lint, the import contracts and the whole test suite
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m compileall -q -j 0 journeysim sim agents scenarios experiments hydra_plugins  # quiet unless a file fails; the tests start hundreds of processes: none compiles the sources again
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_import_contracts.py
	$(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=15 --nbmake tests $(wildcard examples/*.ipynb)  # idle workers take tests (and the notebooks) from busy ones; the slowest 15 listed

## test-robust: every console script of pyproject.toml against every class of bad input (make test runs a sample)
test-robust: $(STAMP)
	JOURNEYSIM_ROBUST=all $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_robust.py

## test-load: the trainer's page under a class: 6 browser sessions against one journey-app server (a few minutes)
test-load: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider loadtests

## A heavy extra in a venv of its own, out of the default install: .venv-<name> with .[$(EXTRAS_<name>)]
EXTRAS_ray := dev,ray
EXTRAS_meridian := meridian
EXTRAS_mmm := mmm
EXTRAS_arena := arena
.venv-%/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/python -m pip install --quiet -e '.[$(EXTRAS_$*)]'
	touch $@

## test-ray: Ray's own API (--executor ray, hydra/launcher=ray) on a local Ray, in its own venv (.venv-ray, with .[ray])
test-ray: .venv-ray/.installed
	MPLBACKEND=Agg .venv-ray/bin/python -m pytest -q -p no:cacheprovider tests/test_ray.py

## test-meridian: the Meridian panels load with Meridian's own readers, in its own venv (.venv-meridian, with .[meridian])
test-meridian: .venv-meridian/.installed
	MPLBACKEND=Agg TF_CPP_MIN_LOG_LEVEL=3 .venv-meridian/bin/python -m pytest -q -p no:cacheprovider tests/test_meridian.py

## test-mmm: PyMC-Marketing builds its MMM on the weekly table and takes the lift tests, in its own venv (.venv-mmm, .[mmm])
test-mmm: .venv-mmm/.installed
	MPLBACKEND=Agg .venv-mmm/bin/python -m pytest -q -p no:cacheprovider tests/test_pymc_marketing.py

## test-arena: journey-arena fits PyMC-Marketing and Meridian for real (tiny market, small draws) and scores them (.venv-arena, .[arena])
test-arena: .venv-arena/.installed
	MPLBACKEND=Agg TF_CPP_MIN_LOG_LEVEL=3 .venv-arena/bin/python -m pytest -q -p no:cacheprovider tests/test_arena_fits.py

## arena: the scoreboards of docs/arena.md: each scenario's truth, both MMMs fitted on it, scored (.venv-arena; about 50 minutes on 2 cores)
ARENA_SIZE := population.size=100000
ARENA := MPLBACKEND=Agg TF_CPP_MIN_LOG_LEVEL=3 .venv-arena/bin/journey-arena --draws 300 --tune 300 --jobs 2
arena: .venv-arena/.installed
	$(ARENA) scenario=mmm_lab $(ARENA_SIZE) --seeds 5 --calibrate --label flighted hydra.run.dir=outputs/arena/flighted
	$(ARENA) scenario=mmm_confounded $(ARENA_SIZE) --seeds 2 --label confounded hydra.run.dir=outputs/arena/confounded
	$(ARENA) --truth confounded=outputs/arena/confounded/truth --roas-truth confounded=outputs/arena/flighted/truth \
	  --summaries outputs/arena/confounded/posterior_summaries.csv hydra.run.dir=outputs/arena/confounded_scored
	$(ARENA) scenario=mmm_word_of_mouth $(ARENA_SIZE) --seeds 5 --label word_of_mouth hydra.run.dir=outputs/arena/word_of_mouth
	$(ARENA) scenario=mmm_lab $(ARENA_SIZE) days=1820 --seeds 10 --calibrate --lift-persistent email --label flighted \
	  hydra.run.dir=outputs/arena/flighted_5y

## contracts: the engine imports no face, experiment or scenario; no import cycles (also part of make test)
contracts: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_import_contracts.py

## lint: ruff over the tree (also part of make test)
lint: $(STAMP)
	$(BIN)/ruff check .

## docs: the documentation site in site/ (strict: any warning fails); reads the committed figures, writes only site/
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

## docs-data: regenerate every figure and table the docs show (docs/docs_data.py; a few minutes)
docs-data: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python docs/docs_data.py

## bench: speed and memory figures, as ratios to baselines measured in the same run
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## validate: dock the engine with published diffusion and price results; pass/fail table, docs/validation/
validate: $(STAMP)
	$(BIN)/python -m journeysim.experiments.validation.run

## app: serve the trainer's interactive page on http://127.0.0.1:8765 (PORT=... to change)
app: $(STAMP)
	$(BIN)/journey-app --port $(or $(PORT),8765)

## browser: Debian's Chromium for the page's end-to-end test (skipped where it cannot install)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; the browser test will be skipped"; }

clean:
	rm -rf outputs multirun .pytest_cache .ruff_cache .hypothesis site build/docs-src
