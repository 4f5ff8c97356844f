# Two commands do everything (see README):
#   make reports   set up .venv, build data/processed/embedded, run every report
#   make test      set up .venv, run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: reports test lab bench build clean-processed

$(STAMP): pyproject.toml requirements.lock
	@echo "Setting up $(VENV): the pinned dependencies (requirements.lock) are downloaded and installed;"
	@echo "this takes a few minutes the first time (pip lists each package as it goes), and again only when requirements.lock or pyproject.toml changes."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

reports: $(STAMP)
	$(BIN)/refugeestudy build --plan embedded
	$(BIN)/refugeestudy run

test: $(STAMP)
	$(BIN)/python -m pytest

# JupyterLab is an optional extra (pip install refugeestudy[lab]); as root (containers, CI
# images) Jupyter refuses to start without --allow-root.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[lab]'
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
