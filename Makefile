# The two commands of the README. Each sets up everything it needs on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/nhi_collect_test

.PHONY: demo test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/nhi-collect demo

test: $(VENV)/.installed
	NHI_COLLECT_TEST_PG="$${NHI_COLLECT_TEST_PG:-$(PG_TEST_URL)}" $(VENV)/bin/python -m pytest
