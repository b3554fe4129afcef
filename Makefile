# Strongroom — `make run` serves the demo store over HTTPS; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export STRONGROOM_ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1]

.PHONY: install run test test-postgres lint bench clean

$(STAMP): pyproject.toml constraints.txt setup.py strongroom/protection/vault/internal/_fastread.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "Strongroom needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

install: $(STAMP)

# Emailed links point where `strongroom serve` listens (see STRONGROOM_PUBLIC_URL).
run: export STRONGROOM_PUBLIC_URL ?= https://localhost:8443
# The sandbox payment gateway runs in the background beside the store (its own process,
# database and secrets under var/gateway/) and is stopped when `make run` ends.
run: install
	$(BIN)/strongroom init
	$(BIN)/strongroom migrate --noinput -v0
	$(BIN)/strongroom collectstatic --noinput -v0
	@$(BIN)/strongroom gateway & gateway=$$!; \
	trap 'kill $$gateway 2>/dev/null; wait $$gateway 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m strongroom.sandbox.wait 8444; \
	$(BIN)/strongroom demo --if-empty && $(BIN)/strongroom serve

test: install
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m strongroom.bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache build
	find strongroom -name '*.so' -delete
