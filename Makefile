# The two commands of the README. Each sets up everything it needs on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/nhi_collect_test

.PHONY: demo test fonts

# Letters need Japanese fonts (IPAex Mincho, with Noto CJK as the fallback for rare kanji such as 髙 and 﨑),
# headless Chromium (the PDF engine) and HarfBuzz's subsetter for WeasyPrint, the fallback engine.
fonts:
	@if ! fc-list | grep -q IPAexMincho || ! ldconfig -p | grep -q libharfbuzz-subset || ! command -v chromium >/dev/null; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q fonts-ipaexfont-mincho fonts-noto-cjk libharfbuzz-subset0 chromium >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q fonts-ipaexfont-mincho fonts-noto-cjk libharfbuzz-subset0 chromium >/dev/null)); \
	  else echo "install fonts-ipaexfont-mincho, fonts-noto-cjk, libharfbuzz-subset0 and chromium (as root) for letters" >&2; fi; \
	fi

$(VENV)/.installed: pyproject.toml | fonts
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

demo: fonts $(VENV)/.installed
	$(VENV)/bin/nhi-collect demo

test: fonts $(VENV)/.installed
	NHI_COLLECT_TEST_PG="$${NHI_COLLECT_TEST_PG:-$(PG_TEST_URL)}" $(VENV)/bin/python -m pytest
