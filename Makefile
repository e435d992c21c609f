# Two commands do all the set-up on a fresh machine:
#   make run   - create/update .venv, install the project, start the app on 127.0.0.1:8501
#   make test  - create/update .venv with the test extras, run ruff, mypy and the whole pytest suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint bench validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
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
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/bench_geometry.py
	$(BIN)/python bench/bench_app.py

validate: $(VENV)/.app-installed
	$(BIN)/python -m geo validate

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts static/vendor
