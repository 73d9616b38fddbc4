# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test check unit integration contract faults lint format install install-dev lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs from the lock (plain pip, hash-checked): runtime + dev + embedded servers, then the
# project itself without resolving again. The image installs requirements/runtime.txt.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	touch $@

# Re-resolve the locks after editing pyproject's dependencies (needs uv only here, not to install).
UV_VERSION := 0.13.9
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_COMPILE) -o requirements/runtime.txt
	$(UV_COMPILE) --extra dev --extra embedded -c requirements/runtime.txt -o requirements/dev.txt

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/loyalty dev

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two workers (pytest-xdist): the contract and fault tiers spend much of their time waiting on
# the broker and the clock, which the other worker fills; each worker starts its own servers.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# The fast loop while working: lint and the unit tier (no servers), then one tier at a time.
check: lint
	$(BIN)/python -m pytest tests/unit -q

unit integration contract faults: install-dev
	$(BIN)/python -m pytest tests/$@ -q

# make bench BENCH_FLAGS=--exports: also loyalty export of a million entries (minutes more).
bench: install-dev
	$(BIN)/python -m bench $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .loyalty .pytest_cache .mypy_cache .ruff_cache .hypothesis
