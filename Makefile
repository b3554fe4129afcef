# Strongroom — `make run` serves the demo store over HTTPS; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export STRONGROOM_ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1]

.PHONY: install run test test-postgres lint bench clean prod-local loadtest

$(STAMP): pyproject.toml constraints.txt setup.py strongroom/protection/vault/internal/_fastread.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "Strongroom needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

install: $(STAMP)

# The sandbox payment gateway and the task queue worker run in the background beside the
# store and are stopped when `make run` ends (Ctrl-C stops everything within seconds).
# RUN_PORT, RUN_HTTP_PORT and RUN_GATEWAY_PORT choose the ports (8443, 8080, 8444).
RUN_PORT ?= 8443
RUN_HTTP_PORT ?= 8080
RUN_GATEWAY_PORT ?= 8444
# Emailed links point where `strongroom serve` listens (see STRONGROOM_PUBLIC_URL).
run: export STRONGROOM_PUBLIC_URL ?= https://localhost:$(RUN_PORT)
run: install
	$(BIN)/strongroom init
	$(BIN)/strongroom migrate --noinput -v0
	$(BIN)/strongroom collectstatic --noinput -v0
	@export STRONGROOM_SANDBOX_URL=$${STRONGROOM_SANDBOX_URL:-https://localhost:$(RUN_GATEWAY_PORT)}; \
	$(BIN)/strongroom gateway --port $(RUN_GATEWAY_PORT) \
	  --webhook-url https://localhost:$(RUN_PORT)/payments/webhooks/sandbox/ & gateway=$$!; \
	$(BIN)/strongroom worker & worker=$$!; \
	trap 'kill $$gateway $$worker 2>/dev/null; wait $$gateway $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m strongroom.sandbox.wait $(RUN_GATEWAY_PORT); \
	$(BIN)/strongroom demo --if-empty && $(BIN)/strongroom serve --port $(RUN_PORT) --http-port $(RUN_HTTP_PORT)

test: install
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

# ruff, then the import contract (.importlinter: the layers app by app, each app's
# internal/ private to it, cryptography only in the vault).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python -m strongroom.bench

# The production topology on this machine: Caddy (Debian's caddy) in front of two app
# servers and a worker, on PostgreSQL and Redis (deploy/prod-local.sh).
prod-local: install
	bash deploy/prod-local.sh

# Locust shoppers against prod-local, bounded (LOADTEST_USERS=50, LOADTEST_DURATION=5m),
# then consistency checks (deploy/loadtest.sh).
loadtest: install
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[loadtest]'
	bash deploy/loadtest.sh

clean:
	rm -rf $(VENV) var var-prod .pytest_cache .ruff_cache build
	find strongroom -name '*.so' -delete
