# The two commands of the README: `make demo` and `make test`.
# Both create the virtual environment on first use (Python 3.11+ required).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint browser engines clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark,postgres]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/livebase demo $(DEMO_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# Debian's chromium for the browser tests (tests/e2e); installed once, as root or by sudo
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# a JDK for PySpark and PostgreSQL's server binaries for the cross-engine tests (tests/engines)
engines:
	@{ command -v java >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq default-jre-headless postgresql; }

test: lint browser engines
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info demo-school

# `make bench`: RFM + segments against the SQL floor, pymc-marketing and pandas (bench/README.md).
# livebase and pymc-marketing live in two venvs of their own: pymc-marketing needs pandas 3,
# livebase pins pandas < 3. BENCH_ARGS e.g. "--sizes 1M --repeat 1".
BENCH_VENV ?= bench/.venv
BENCH_PYMC ?= bench/.venv-pymc

.PHONY: bench

$(BENCH_VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(BENCH_PYMC)/.installed: bench/constraints-pymc.txt
	$(PYTHON) -m venv $(BENCH_PYMC)
	$(BENCH_PYMC)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_PYMC)/bin/python -m pip install --quiet -c bench/constraints-pymc.txt \
		pymc-marketing pyarrow
	touch $@

bench: $(BENCH_VENV)/.installed $(BENCH_PYMC)/.installed
	$(BENCH_VENV)/bin/python bench/rfm_bench.py --pymc-python $(BENCH_PYMC)/bin/python $(BENCH_ARGS)

# `make bench-plan`: planning a wave with every guardrail, livebase against plain pandas
# (bench/README.md). BENCH_PLAN_ARGS e.g. "--sizes 100k --repeat 1" or "--check".
.PHONY: bench-plan

bench-plan: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/plan_bench.py $(BENCH_PLAN_ARGS)

# `make bench-nightly`: segments + risk + cohorts + one wave's plan at 1M and 10M customers
# (bench/README.md). BENCH_NIGHTLY_ARGS e.g. "--sizes 100k --repeat 1".
.PHONY: bench-nightly

bench-nightly: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/nightly_bench.py $(BENCH_NIGHTLY_ARGS)

# `make bench-web`: dashboard page render time on the 20k demo school (bench/README.md).
# BENCH_WEB_ARGS e.g. "--customers 5000 --repeat 3".
.PHONY: bench-web

bench-web: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/web_bench.py $(BENCH_WEB_ARGS)

# `make bench-webhook`: the webhook under load, 20,000 events from 8 and from 32 senders to
# `livebase serve` on 127.0.0.1 (bench/webhook_bench.py). BENCH_WEBHOOK_ARGS e.g.
# "--events 5000 --senders 8".
.PHONY: bench-webhook

bench-webhook: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/webhook_bench.py $(BENCH_WEBHOOK_ARGS)

# `make fuzz`: coverage-guided fuzzing of the importers (fuzz/import_target.py) for
# FUZZ_SECONDS; new inputs go to build/fuzz/corpus, crashing inputs to build/fuzz/crashes/.
# FUZZ_ARGS e.g. "-jobs=2" (FUZZ_FULL=1 in the environment imports every input whole).
FUZZ_SECONDS ?= 600
.PHONY: fuzz

fuzz: $(BIN)/.installed
	mkdir -p build/fuzz/corpus build/fuzz/crashes
	FUZZ_WORK=build/fuzz/work $(BIN)/python fuzz/import_target.py build/fuzz/corpus fuzz/corpus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=60 -rss_limit_mb=4096 \
		-artifact_prefix=build/fuzz/crashes/ -print_final_stats=1 $(FUZZ_ARGS)
