# Everything runs from a Python 3.13 virtual environment (.venv), matching the Lambda runtime.
# The first `make local` or `make test` creates it.
PYTHON_VERSION ?= 3.13
PYTHON ?= $(shell PYENV_VERSION=$(PYTHON_VERSION) pyenv which python$(PYTHON_VERSION) 2>/dev/null || command -v python$(PYTHON_VERSION))
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed
export SAM_CLI_TELEMETRY := 0
# sam build needs a python3.13 on PATH for the python3.13 runtime: the venv's.
export PATH := $(BIN):$(PATH)

.PHONY: venv local test lint scan mutation build build-check bench clean

SCAN_VENV := .venv-scan
MUTATION_VENV := .venv-mutation

$(INSTALLED): requirements-dev.txt layers/shared/requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "python$(PYTHON_VERSION) not found (pyenv install $(PYTHON_VERSION), or set PYTHON=)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .   # the xoxzo-din tool
	touch $@

venv: $(INSTALLED)

## Run the action server locally on http://127.0.0.1:3000 (embedded DynamoDB, no Docker, no AWS).
local: $(INSTALLED)
	$(BIN)/python -m tools.local_server

## Run the whole test suite (unit, functional, integration, e2e).
# pytest exits 5 when it collected nothing: say so, and fail.
test: $(INSTALLED)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	  exit $$status

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 --score=n \
	  layers/shared/xoxzo_din cli/xoxzo_din_cli functions
	$(BIN)/sam validate --lint
	$(BIN)/cfn-lint monitoring/template.yaml   # the nested monitoring stack (sam validate reads the root only)

## Security scanners (checkov on the template, bandit on the code), in their own environment.
$(SCAN_VENV)/.installed: requirements-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-scan.txt
	touch $@

scan: $(SCAN_VENV)/.installed
	$(SCAN_VENV)/bin/checkov --config-file .checkov.yaml
	$(SCAN_VENV)/bin/bandit -c pyproject.toml -q -r layers/shared/xoxzo_din functions cli/xoxzo_din_cli

## Mutation testing of the call path (cosmic-ray), in its own environment; fails under 95% a module
## or on a surviving mutant not listed in tests/mutation/equivalent.toml. Takes minutes: docs/reference/mutation-testing.md.
$(MUTATION_VENV)/.installed: requirements-mutation.txt
	test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	touch $@

mutation: $(MUTATION_VENV)/.installed
	$(MUTATION_VENV)/bin/python -m tools.mutation.run $(MUTATION_ARGS)
	$(MUTATION_VENV)/bin/python -m tools.mutation.report

build: $(INSTALLED)
	$(BIN)/sam build

## sam build, then run the built artifacts as Lambda would load them (layer + function + SDK only).
build-check: build
	$(BIN)/python -m tools.build_smoke

## Benchmarks on what `sam build` produced (the cold starts load the built layer).
bench: build
	$(BIN)/python -m benchmarks.action_bench
	$(BIN)/python -m benchmarks.secret_read_bench

clean:
	rm -rf $(VENV) $(SCAN_VENV) $(MUTATION_VENV) .mutation .aws-sam .pytest_cache .mypy_cache .ruff_cache .hypothesis
