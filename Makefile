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

.PHONY: install demo test bench clean

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

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) bench/throughput.py --write
	$(PY) bench/analysis.py --write
	$(PY) bench/extraction.py --variants --write
	$(PY) bench/stories.py --write
	$(PY) bench/quality.py --write
	$(PY) bench/relate_quality.py --write
	$(PY) bench/compare.py --write
	$(PY) bench/relate_scale.py --write

clean:
	rm -rf $(VENV) newsprism-demo newsprism.db newsprism.db-wal newsprism.db-shm
