# dynamo-lab: `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment in .venv on first use and reuse it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# Test processes for make test and make test-fast (pytest-xdist); 1 runs them in one.
PYTEST_WORKERS ?= 2
# Extra options for `jupyter lab`, e.g. make lab LAB_ARGS="--port=9999 --ip=0.0.0.0"
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help lab test test-fast test-compiled bench compiled exercises notebooks release clean

help:  ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the package metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

lab: $(STAMP)  ## open the course in JupyterLab at lesson 00 (options: LAB_ARGS="...")
	$(BIN)/python tools/lab.py $(LAB_ARGS)

test: $(STAMP)  ## run every test: unit, property, doctests, notebooks, browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: $(STAMP)  ## run the tests without notebooks and the browser
	@# Paths given on the command line replace testpaths; --ignore cannot drop a testpath.
	$(BIN)/python -m pytest tests dynamo_lab tools -m "not browser" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

$(VENV)/.installed-compiled: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,compiled]'
	@touch $@

test-compiled: $(VENV)/.installed-compiled  ## build the compiled copy (needs a C compiler) and run the unit tests on it
	$(BIN)/python benchmarks/compiled.py --test-fast -q -rs $(PYTEST_ARGS)

bench: $(VENV)/.installed-bench  ## run the benchmarks and print their figures (never part of `make test`)
	$(BIN)/python benchmarks/run_all.py

compiled: $(VENV)/.installed-compiled  ## build the simulator compiled with mypyc into build/compiled, for long studies
	$(BIN)/python benchmarks/compiled.py --build build/compiled

exercises: $(STAMP)  ## regenerate exercises/ from solutions/
	$(BIN)/python tools/generate_exercises.py solutions exercises

notebooks: $(STAMP)  ## re-execute lessons and solutions in place, then regenerate exercises/
	$(BIN)/python tools/refresh_notebooks.py notebooks/*.ipynb notebooks/deep_dives/*.ipynb solutions/*.ipynb
	$(BIN)/python tools/generate_exercises.py solutions exercises

release: $(STAMP)  ## write a learner's copy without solutions: make release DIR=../course [GRADED=1]
	@test -n "$(DIR)" || { echo 'say where: make release DIR=../course [GRADED=1]'; exit 2; }
	$(BIN)/python -m dynamo_lab.exercises.release "$(DIR)" $(if $(GRADED),--graded)

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .hypothesis build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
