# Two commands from a fresh clone: `make report` builds the demo report, `make test` runs the tests.
# Everything else the kit needs (a virtual environment, the package and its dependencies, the demo
# LA's synthetic data, a headless browser for the end-to-end test) is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extra options for pytest, e.g. `make test PYTEST_ARGS="-k pipeline -x"`.
PYTEST_ARGS ?=

.PHONY: setup bytecode report test lab bench bench-national lint browser clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77'
	@echo "Installing the kit and its dependencies into $(VENV) (editable: setuptools may warn that"
	@echo "a folder here has the package's name; that folder is this checkout, as intended)"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# The kit's compiled bytecode, as pip writes it for an installed wheel: where Python is told not
# to write it (PYTHONDONTWRITEBYTECODE), every kernel would otherwise compile the kit's source
# again (about a sixth of a second each). Only files changed since are compiled again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q diagnostic_kit

# Builds reports/demo/report.html (the demo LA's data is generated into data/demo on first use).
report: bytecode
	$(BIN)/adoption-diagnostic run params/demo.yaml

# Unit tests, every notebook under nbval (lax: a notebook passes if it runs without error) and
# the end-to-end test, in one pytest run.
test: $(STAMP) browser
	$(BIN)/pytest --nbval-lax tests notebooks $(PYTEST_ARGS)

# Jupyter refuses to run as root unless told (containers often run as root).
lab: $(STAMP)
	$(BIN)/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/

# Timings (never in the tests): the demo against the in-process floor and plain papermill, a
# batch of 20 synthetic LAs projected to 153, preparing ~100,000 episodes.
bench: bytecode
	$(BIN)/python bench/bench.py

# The whole national batch: 153 synthetic LAs of realistic spread (generated once into build/).
bench-national: bytecode
	$(BIN)/python bench/bench.py --national

lint: $(STAMP)
	$(BIN)/ruff check diagnostic_kit tests bench

# The end-to-end test checks the report in real headless Chromium: Debian's packages, never a
# downloaded browser. Without root or apt-get that one test is skipped and says why. When another
# apt process holds the package lock, apt waits for it (up to 10 minutes) instead of failing.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium and chromium-driver (Debian packages) for the browser test"; \
		apt-get update -o DPkg::Lock::Timeout=600 -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -o DPkg::Lock::Timeout=600 -y -qq chromium chromium-driver >/dev/null \
			|| echo "warning: could not install chromium; the browser test will be skipped"; \
	else \
		echo "note: no /usr/bin/chromium and no root apt-get; the browser test will be skipped"; \
	fi

clean:
	rm -rf $(VENV) data/ build/ dist/ diagnostic_kit/_bundle/
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
