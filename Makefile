# Two entry points that work from a fresh clone (Python 3.10-3.12 on PATH as python3).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= results/buda2018_quick
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the suite is mostly Python, tracing and small fits, so two
# workers share 2 cores well.
TEST_WORKERS ?= 2

.PHONY: demo test install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install -e ".[dev]"

# Set up and run the main job: Buda et al. 2018 quick profile on the bundled digits.
demo: install
	$(BIN)/imbkeras reproduce buda2018 --profile quick --out $(OUT)

# Set up and run the test suite.
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info results
