# Two commands do all the set-up on a fresh machine:
#   make run   - create/update .venv from the lock file, start the app on 127.0.0.1:8501
#   make test  - create/update .venv with the test tools, run ruff, mypy and the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint bench validate lock lowest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install exactly the locked versions; reinstall when the lock or pyproject.toml changes.
$(VENV)/.app-installed: pyproject.toml requirements/app.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/app.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml requirements/test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.app-installed

run: $(VENV)/.app-installed
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy geo

test: lint
	$(BIN)/python -m geo validate
	$(BIN)/pytest

bench: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_geometry.py
	$(BIN)/python bench/bench_documents.py
	$(BIN)/python bench/bench_payload.py
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_scale.py

validate: $(VENV)/.app-installed
	$(BIN)/python -m geo validate

# Regenerate the lock files from pyproject.toml (fresh virtualenvs, newest allowed versions).
lock:
	bash requirements/lock.sh

# The suite against the lowest versions pyproject.toml allows (CI runs this once).
lowest:
	bash requirements/lowest.sh

clean:
	rm -rf $(VENV) .venv-lowest .pytest_cache .mypy_cache .ruff_cache test-artifacts
