# The same commands locally and in CI. `make help` lists them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
-include .env
export
export RASA_TELEMETRY_ENABLED := false
# Rasa's training cache keys a component by its class's source only, not by the modules it
# calls (bot/language/normalize.py, say): a changed rule would reuse stale features. Off.
export RASA_MAX_CACHE_SIZE := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
MODEL := models/helpdesk.tar.gz
TRAINING_INPUTS := config.yml $(wildcard knowledge/*.yml conversation/*.yml) $(wildcard domain/*.yml data/nlu/*.yml data/rules/*.yml bot/nlu/*.py bot/language/*.py)

.PHONY: help venv data check train test run shell eval bench bench-gateway bench-handoff bench-clinc lock clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## create .venv with Python 3.10 and the pinned dependencies
$(VENV)/.installed: requirements.lock pyproject.toml
	@scripts/bootstrap.sh

data: venv ## regenerate Rasa training data from knowledge/ and conversation/
	@$(BIN)/helpdesk kb build

check: venv ## validate the knowledge base
	@$(BIN)/helpdesk kb check

train: $(MODEL) ## train the model when its inputs changed
$(MODEL): $(TRAINING_INPUTS) | venv
	@$(BIN)/helpdesk kb check
	$(BIN)/rasa train --domain domain --fixed-model-name helpdesk --out models --quiet

test: train ## run every test (unit, integration, Rasa test stories, end to end, browser)
	@services=$$(scripts/test-services.sh) && eval "$$services" \
	  || echo "PostgreSQL/Chromium not available: the tests that need them will be skipped." >&2; \
	$(BIN)/python -m pytest -q

run: train ## start the help desk (Rasa, actions, gateway with widget and Telegram), then a terminal chat
	@$(BIN)/python -m bot.run

eval: venv ## accuracy of this pipeline vs the stock Rasa pipeline (held-out + independent sets)
	$(BIN)/python -m bench.eval_nlu

bench: venv train ## speed and memory vs stock Rasa, the gateway's overhead, the handoff path (about 2 h: stock DIET trains for most of it)
	$(BIN)/python -m bench.runtime
	$(BIN)/python -m bench.gateway
	$(BIN)/python -m bench.handoff

bench-gateway: train ## the gateway (widget path) vs Rasa's REST channel, 50 concurrent conversations
	$(BIN)/python -m bench.gateway

bench-handoff: train ## handoff request -> staff console, staff reply -> widget (20 users, 3 staff)
	$(BIN)/python -m bench.handoff

bench-clinc: venv ## the NLU pipeline on CLINC150 (slow, not in CI)
	$(BIN)/python -m bench.clinc

lock: ## re-resolve requirements.in into requirements.lock (needs network to PyPI)
	scripts/lock.sh

clean: ## remove the environment, models and results
	rm -rf $(VENV) models results .rasa
