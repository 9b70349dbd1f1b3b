# Chorus: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install gettext chromium messages lint format bench stop clean compose-check

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# gettext and Chromium: found, else installed (Debian's package as root, Playwright's browser), else
# one line that says what to install and a non-zero exit (core/tools.py). CHORUS_MSGFMT and
# CHORUS_CHROMIUM override the paths; CHORUS_NO_APT=1 never runs apt-get.
gettext: install
	@$(BIN)/python -m core.tools gettext

chromium: install
	@$(BIN)/python -m core.tools chromium

messages: gettext
	@msgfmt="$${CHORUS_MSGFMT:-msgfmt}"; \
	for po in $$(find . -path ./.venv -prune -o -name "*.po" -path "*/LC_MESSAGES/*" -print); do \
		"$$msgfmt" --check-format -o $${po%.po}.mo $$po || exit 1; \
	done

run: install messages
	$(BIN)/python -m core.runner

test: install messages chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	DATABASE_URL=postgres://lint@127.0.0.1:1/lint REDIS_URL=redis://127.0.0.1:1/0 $(BIN)/mypy  # settings are imported, no servers needed
	$(BIN)/lint-imports  # DESIGN §3 dependency rules, [tool.importlinter] in pyproject.toml

# docker-compose.yml as Docker Compose reads it (interpolation, merge keys, schema), where the docker
# client has the compose plugin; otherwise one line says it did not run (its structure is tested by
# core/tests/test_compose_file_describes_the_stack.py either way).
compose-check:
	@if docker compose version >/dev/null 2>&1; then \
		env_file=$$(test -f .env && echo .env || echo .env.example); \
		CHORUS_ENV_FILE=$$env_file docker compose --env-file $$env_file config --quiet \
			&& echo "docker compose config: ok ($$env_file)"; \
	else \
		echo "docker compose config: not run (no docker client with the compose plugin here)"; \
	fi

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/provisioning.py

stop: install
	$(BIN)/python -c "from core import embedded; print(embedded.stop_services('.data'))"

clean:
	rm -rf $(VENV) staticfiles
