# Two commands on a fresh machine: `make demo` and `make test`.
# Both create .venv, install torch==2.13.0 (CPU) first, then newsprism with its extras.
# Re-running is quick: the install step re-runs only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test bench clean postgresql chromium

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel setuptools

$(STAMP): pyproject.toml | $(PY)
	# torch first, the CPU build, so nothing pulls the CUDA wheels
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/newsprism demo --out newsprism-demo

test: $(STAMP) postgresql chromium
	$(PY) -m pytest -q -p no:cacheprovider

# The store tests also run on PostgreSQL: tests/conftest.py starts a throwaway cluster on a
# loopback port from these binaries. Install Debian's server when they are missing (root or
# passwordless sudo only; without a server the PostgreSQL tests skip, or fail under CI=true).
# No "main" cluster is created by the package, so nothing is left listening on 5432.
PG_FOUND = $(shell { command -v pg_ctl && command -v initdb; } >/dev/null 2>&1 || \
                   ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; echo $$?)
postgresql:
ifneq ($(PG_FOUND),0)
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "PostgreSQL not installed and no root/passwordless sudo: run 'apt-get install postgresql'" \
	          "as root; until then the PostgreSQL store tests skip (and fail under CI=true)" >&2; exit 0; fi; \
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then \
	  $$SUDO mkdir -p /etc/postgresql-common && \
	  echo "create_main_cluster = false" | $$SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  -o Dpkg::Options::=--force-confold postgresql
endif

# The browser tests drive Debian's chromium through Playwright (never `playwright install`).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "chromium not installed and no root/passwordless sudo: run 'apt-get install chromium'" \
	            "as root; until then the browser tests skip (and fail under CI=true)" >&2; exit 0; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

bench: $(STAMP)
	$(PY) bench/throughput.py --write
	$(PY) bench/analysis.py --write
	$(PY) bench/extraction.py --variants --write
	$(PY) bench/stories.py --write
	$(PY) bench/quality.py --write
	$(PY) bench/relate_quality.py --write
	$(PY) bench/compare.py --write
	$(PY) bench/relate_scale.py --write
	$(PY) bench/warc.py --write

clean:
	rm -rf $(VENV) newsprism-demo newsprism.db newsprism.db-wal newsprism.db-shm
