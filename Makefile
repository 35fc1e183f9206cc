# Every target creates or reuses .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install run test fuzz lint format clean browser-deps cluster-deps cluster bench bench-deps bench-generate soak soak-deps

# .[dev]: the mock, both extras (contract: the suite's engine; workers: gunicorn) and the test tools.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/cudis-mock serve $(ARGS)

# Debian packages the tests need: chromium and chromedriver (real-browser tests), curl (README examples),
# unshare and ip (the README pasted as printed, in a network namespace of its own so its ports are free).
# Installs only what is missing; does nothing when all are present.
browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v unshare >/dev/null || missing="$$missing util-linux"; \
	command -v ip >/dev/null || missing="$$missing iproute2"; \
	if [ -z "$$missing" ]; then \
	  echo "browser-deps: chromium, chromedriver, curl, unshare and ip present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# Debian packages of the scale-out tests and `make cluster`: redis-server (the shared state) and haproxy.
cluster-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || missing="$$missing haproxy"; \
	if [ -z "$$missing" ]; then \
	  echo "cluster-deps: redis-server and haproxy present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# `make cluster`: Redis, three mock processes sharing it and haproxy in front on port 8080 (see docs/scale-out.md).
# ARGS passes flags: ARGS="--port 9090 --mocks 4 --workers 2 --dir /tmp/cluster".
cluster: install cluster-deps
	$(PY) -m scale_out.cluster $(ARGS)

test: install browser-deps cluster-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# `make test` draws the same Hypothesis and schemathesis examples on every machine (profile `gate`, derandomized);
# `make fuzz` explores: the property and schemathesis tests, more draws, a new random seed per round, rounds until
# FUZZ_SECONDS have passed; a failing round prints its seed, and `make fuzz FUZZ_SEED=N` replays exactly that round.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=

fuzz: install
	@end=$$(( $$(date +%s) + $(FUZZ_SECONDS) )); \
	while :; do \
	  seed=$(if $(FUZZ_SEED),$(FUZZ_SEED),$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')); \
	  echo "make fuzz: round with seed $$seed"; \
	  HYPOTHESIS_PROFILE=fuzz CUDIS_FUZZ_SEED=$$seed $(PY) -m pytest -m hypothesis -p no:cacheprovider \
	    --hypothesis-seed=$$seed $(PYTEST_ARGS) \
	    || { echo "make fuzz: seed $$seed found a failure; replay it with: make fuzz FUZZ_SEED=$$seed"; exit 1; }; \
	  if [ -n "$(FUZZ_SEED)" ] || [ $$(date +%s) -ge $$end ]; then break; fi; \
	done; echo "make fuzz: no failure found"

# The full-size memory run of `cudis-mock generate` (10,000 users x 365 days; minutes of CPU).
bench-generate: install
	$(PY) -m pytest -s -p no:cacheprovider bench/test_generate_memory_full.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# `make bench`: the mock beside Prism, Mockoon and two WSGI floors (see docs/performance.md).
# Installs what it needs: wrk from Debian when missing, Prism and Mockoon into bench/node_modules.
BENCH_STAMP := bench/node_modules/.installed-stamp
BENCH_ARGS ?=

$(BENCH_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	touch $(BENCH_STAMP)

# The project's modules byte-compiled, as installing a wheel leaves them: a cold start then reads
# them, as a user's does, instead of compiling (PYTHONDONTWRITEBYTECODE stops Python writing them).
bench-deps: install $(BENCH_STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) -m compileall -q mock_server cudis_spec cudis_proxy contract_tests

bench: bench-deps
	$(PY) bench/run.py $(BENCH_ARGS)

# `make soak`: load and faults against `cudis-mock serve --workers 2` on loopback (see docs/reliability.md):
# 100,000 requests at 64 connections, a worker killed mid-load, restarts with --state, concurrent minting.
# Installs wrk from Debian when missing. Figures go to stdout and to $(SOAK_RESULTS).
SOAK_RESULTS ?= soak-results.txt

soak-deps: install
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

soak: soak-deps
	rm -f $(SOAK_RESULTS)
	CUDIS_SOAK=1 SOAK_RESULTS=$(abspath $(SOAK_RESULTS)) $(PY) -m pytest tests/soak -p no:cacheprovider -s -v $(PYTEST_ARGS)
