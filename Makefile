# Huiwu — the commands a developer and CI use. `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# pytest-xdist processes for `make test` (auto: one per core); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# Another apt/dpkg run (unattended-upgrades on a fresh machine) holds the dpkg lock for a
# while: wait for it up to 10 minutes instead of failing at once. `apt-get install` waits by
# itself with this option; `apt-get update` ignores it for the package lists' lock (apt 2.6),
# so system-deps retries the update every APT_LOCK_RETRY_SECONDS while that lock is held.
APT_WAIT_FOR_LOCK := -o DPkg::Lock::Timeout=600
APT_LOCK_RETRY_SECONDS ?= 10
APT_PACKAGES := chromium fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils

# `make run` serves with gunicorn (deploy/gunicorn.conf.py), not Flask's development server:
# ONE process, because without Redis the rate-limit counters live in its memory and background
# jobs run in it after each commit; RUN_THREADS threads share SQLite, whose transactions take
# the write lock at BEGIN and wait up to 30 s for it (app/extensions.py). README: how large an
# event that serves.
RUN_BIND ?= 127.0.0.1:5000
RUN_THREADS ?= 8
INSTANCE_DIR := $(or $(HUIWU_INSTANCE_DIR),instance)
# Sessions and self-service links are signed with SECRET_KEY; the development default is
# public, so `make run` generates a key once into the instance folder (unless SECRET_KEY is set).
SECRET_KEY_FILE := $(INSTANCE_DIR)/secret_key
WITH_SECRET_KEY = SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}"
SERVE := $(WITH_SECRET_KEY) exec $(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind $(RUN_BIND) \
	--workers 1 --threads $(RUN_THREADS) "app:create_app()"

.PHONY: fonts run serve setup test system-deps venv translations db demo vendor lint messages clean-db

run: setup db demo ## set everything up, load the demo and serve it at http://127.0.0.1:5000
	$(SERVE)

serve: $(SECRET_KEY_FILE) ## serve the database as it is (gunicorn, one process, jobs in-process)
	$(SERVE)

$(SECRET_KEY_FILE):
	mkdir -p $(INSTANCE_DIR)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" >$@

setup: system-deps venv translations fonts ## Python packages, compiled catalogs, badge fonts

system-deps: ## Debian packages (Chromium for browser tests, CJK fonts, Pango for WeasyPrint)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  updated=; for attempt in $$(seq $$((600 / $(APT_LOCK_RETRY_SECONDS) + 1))); do \
	    if out=$$($$SUDO apt-get $(APT_WAIT_FOR_LOCK) update -q 2>&1); then updated=1; echo "$$out"; break; fi; \
	    echo "$$out" >&2; \
	    case "$$out" in *"Could not get lock"*) echo "waiting for the other apt run"; sleep $(APT_LOCK_RETRY_SECONDS) ;; *) break ;; esac; \
	  done; \
	  [ -n "$$updated" ] || exit 1; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get $(APT_WAIT_FOR_LOCK) install -y -q $$missing; \
	fi

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

fonts: venv ## build the CJK badge font subsets from the system Noto CJK (once, ~30 s)
	$(BIN)/python -m app.documents.fonts build

translations: venv ## compile the zh_CN/en/ru catalogs (fuzzy entries are never shipped)
	$(BIN)/pybabel compile -d app/translations

# tests/test_translations.py reads this line to check that the .pot is up to date: one command.
# Babel's defaults already cover _, gettext, ngettext, pgettext and npgettext (Python and Jinja).
BABEL_EXTRACT_FLAGS := -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --add-comments=TRANSLATORS: --project=Huiwu --version=1.0

messages: venv ## extract strings and update the catalogs (then translate the .po files; obsolete ones stay as #~)
	$(BIN)/pybabel extract $(BABEL_EXTRACT_FLAGS) -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

db: venv $(SECRET_KEY_FILE) ## create or upgrade the database
	$(WITH_SECRET_KEY) $(FLASK) db upgrade

demo: venv $(SECRET_KEY_FILE) ## load the demo event (idempotent)
	$(WITH_SECRET_KEY) $(FLASK) demo load

test: setup ## the import contracts (pyproject.toml [tool.importlinter]), then the whole test suite
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal --durations=15

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests benchmarks config.py worker.py

vendor: ## refresh static/vendor from the pinned npm packages
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/pico
	cp node_modules/@picocss/pico/css/pico.min.css node_modules/@picocss/pico/LICENSE.md static/vendor/pico/
	# @zxing/browser's UMD build bundles @zxing/library (Apache-2.0): both licences ship with it.
	mkdir -p static/vendor/zxing-browser
	cp node_modules/@zxing/browser/umd/zxing-browser.min.js static/vendor/zxing-browser/
	cp node_modules/@zxing/browser/LICENSE static/vendor/zxing-browser/LICENSE
	cp node_modules/@zxing/library/LICENSE static/vendor/zxing-browser/LICENSE-zxing-library
	# Chart.js (MIT) for the check-in dashboard's arrivals chart.
	mkdir -p static/vendor/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	# axe-core (MPL-2.0), a dev dependency: the device suite's accessibility checks (tests/browser).
	mkdir -p tests/browser/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/browser/vendor/axe-core/
