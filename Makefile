# Payment platform: the README's two commands are `make up` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ENV_SUFFIX ?= dev
EMULATOR_PORT ?= 5000
export EMULATOR_PORT

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
COLLECTION := fintech/payment_platform
SANITY_ROOT := .cache/sanity/ansible_collections
SANITY_DIR := $(SANITY_ROOT)/$(COLLECTION)
PY_VERSION = $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
SITE_PACKAGES = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
EMULATOR := PYTHONPATH=emulator $(PY) -m platform_emulator

.PHONY: help venv emulator emulator-stop up down test lint sanity units integration build clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt scripts/find-python.sh
	@python=$$(scripts/find-python.sh) && \
	  { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	    { echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV); }; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	@touch $@

venv: $(STAMP) ## Create the virtualenv with the pinned dependencies

emulator: $(STAMP) ## Start the local AWS emulator (127.0.0.1:$EMULATOR_PORT)
	$(EMULATOR) start --port $(EMULATOR_PORT)

emulator-stop: ## Stop the local AWS emulator
	@[ ! -x $(PY) ] || $(EMULATOR) stop --port $(EMULATOR_PORT)

up: emulator ## Build the platform against the emulator (ENV_SUFFIX=dev) and print its outputs
	$(BIN)/ansible-playbook playbooks/site.yml -e env_suffix=$(ENV_SUFFIX) -e aws_endpoint_url=http://127.0.0.1:$(EMULATOR_PORT)

down: emulator ## Tear the platform down (ENV_SUFFIX=dev)
	$(BIN)/ansible-playbook playbooks/teardown.yml -e env_suffix=$(ENV_SUFFIX) -e aws_endpoint_url=http://127.0.0.1:$(EMULATOR_PORT)

test: lint sanity units integration ## Everything: lint, sanity, unit and integration tests

lint: $(STAMP) ## ansible-lint, production profile, offline
	$(BIN)/ansible-lint --offline --profile production

units: $(STAMP) ## Unit tests (modules, filters, emulator)
	$(BIN)/pytest -q tests/unit emulator/tests

integration: $(STAMP) ## Integration tests against a fresh emulator
	$(BIN)/pytest -q -n 2 --dist load tests/integration

sanity: $(STAMP) ## ansible-test sanity (offline pip bootstrap, zero ignores)
	@pip_version=$$(sed -n "s/.*pip='\([0-9.]*\)'.*/\1/p" $(SITE_PACKAGES)/ansible_test/_internal/python_requirements.py | head -n1); \
	  mkdir -p ~/.ansible/test/cache && \
	  cp scripts/get_pip_offline.py ~/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	@rm -rf $(SANITY_DIR) && mkdir -p $(SANITY_DIR)
	@git ls-files -z --cached --others --exclude-standard | \
	  grep -zv -E '^(collections|emulator|\.ci|scripts)/' | \
	  xargs -0 -I{} cp --parents -P {} $(SANITY_DIR)/ 2>/dev/null || true
	@ln -sfn $(SITE_PACKAGES)/ansible_collections/amazon $(SANITY_ROOT)/amazon
	@ln -sfn $(SITE_PACKAGES)/ansible_collections/community $(SANITY_ROOT)/community
	cd $(SANITY_DIR) && git init -q . && git add -A && \
	  PATH=$(CURDIR)/$(BIN):$$PATH ansible-test sanity --python $(PY_VERSION) --requirements --color no

build: $(STAMP) ## Build the collection tarball
	$(BIN)/ansible-galaxy collection build --force

clean: emulator-stop ## Remove the virtualenv and caches
	rm -rf $(VENV) .cache .emulator tests/output *.tar.gz
