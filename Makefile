# tradepolicy: two commands set everything up.
#   make run   - create .venv, install, prepare the database, start the workbench
#   make test  - create/update .venv with the test dependencies and run the whole suite

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
SHARED_DATA := $(abspath $(CURDIR)/../shared/data)

# Point the dataset mirror at ../shared/data when it exists (unless already set).
ifneq ($(wildcard $(SHARED_DATA)/MANIFEST.tsv),)
export TRADEPOLICY_DATA_MIRROR ?= $(SHARED_DATA)
endif

.PHONY: run test install install-test browser pdflibs bench lint typecheck clean serve lock

# The lock file pins every dependency (runtime, postgres, dask, test) at the tested versions,
# with hashes; both `make run` and `make test` install from it, then tradepolicy itself.
LOCK := requirements/test.lock

$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	touch $@

# Re-pin after changing dependencies in pyproject.toml (needs the dev extra: pip-tools).
lock:
	$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --generate-hashes --extra test \
	  -o $(LOCK) pyproject.toml
	@# pip-compile lists tradepolicy itself (the test extra names its own extras): drop that entry,
	@# since make installs the package with --no-deps after the hashed lock.
	$(PY) -c "import re,pathlib;p=pathlib.Path('$(LOCK)');t=p.read_text();p.write_text(re.sub(r'# WARNING: pip install will require.*?\ntradepolicy @ [^\n]*\n(?:    #[^\n]*\n)*','',t,flags=re.S))"

install: $(VENV)/.installed pdflibs

install-test: $(VENV)/.installed-test pdflibs

run: install
	$(VENV)/bin/tradepolicy db init
	@# the WTO dispute and USMCA registries (idempotent; the priority dashboards read them)
	@$(VENV)/bin/tradepolicy disputes load >/dev/null || echo "dispute registry not loaded (is ../shared/data there?)"
	@$(VENV)/bin/tradepolicy usmca load >/dev/null || echo "USMCA registry not loaded"
	$(VENV)/bin/tradepolicy serve --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-init

serve: run

# Debian chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: browser tests will skip"; }

# Debian pango/harfbuzz libraries and fonts for WeasyPrint (PDF reports).
pdflibs:
	@{ ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 \
	   && test -d /usr/share/fonts/truetype/dejavu; } || { \
	  echo "installing the Debian pango libraries and fonts for PDF reports"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null) \
	  || echo "could not install the pango libraries: PDF reports will fail and their tests skip"; }

# Two xdist workers use the two cores; one BLAS thread each avoids oversubscription.
test: install-test browser pdflibs
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(VENV)/bin/python -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: install-test
	$(PY) -m pip install -q -e ".[dev]"
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: install-test
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
