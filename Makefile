# Two commands matter: `make demo` and `make test`. Both build the environment first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: env browser postgres demo test test-fast lint audit bench ui clean

$(UV):
	$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

# The lock file is the contract: --frozen fails if pyproject.toml and uv.lock disagree.
# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on these machines) no
# process caches it, and each fresh one would compile all it imports (docs/benchmarks.md, cold run).
$(BIN)/pia: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --extra dev --compile-bytecode --python $(PYTHON)
	@touch $@

# the project's own modules too, each time (only what changed is compiled again)
env: $(BIN)/pia
	@$(BIN)/python -m compileall -q flows

# Debian's Chromium for the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

# Debian's PostgreSQL server for the shared-server integration test (tests/integration/test_postgres.py
# starts its own throw-away cluster on loopback; nothing is configured system-wide).
postgres:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq postgresql >/dev/null) \
	  || echo "postgresql not installed: the PostgreSQL integration test will fail"; }

demo: env
	$(BIN)/pia demo

test: env browser postgres
	$(BIN)/pytest -q

test-fast: env
	$(BIN)/pytest -q -m "not integration"

# ruff, then the architecture contracts in pyproject.toml ([tool.importlinter]; docs/architecture.md)
lint: env
	$(BIN)/ruff check flows tests scripts
	$(BIN)/ruff format --check flows tests scripts
	$(BIN)/lint-imports --no-cache

# Known vulnerabilities in the locked dependencies. Fails on any vulnerability found; a package the
# advisory service cannot be reached for is listed as not audited (this sandbox reaches no advisory
# service, so there every package is listed).
audit: env
	$(UV) export --frozen --extra dev --no-hashes --no-emit-project -q > .venv/requirements-lock.txt
	$(BIN)/pip-audit -r .venv/requirements-lock.txt --no-deps --disable-pip --progress-spinner off 2>&1 | tail -n 25; \
	  exit $${PIPESTATUS[0]}

bench: env
	$(BIN)/python -m scripts.bench

ui: env
	bash scripts/ui.sh

clean:
	rm -rf $(VENV) data/runs .pytest_cache
