"""docker-compose.yml brings the whole stack: PostgreSQL with pgvector, Redis, migrations, web
(uvicorn), a worker on every queue and beat, each with a healthcheck, named volumes for the
database, Redis and media, and every variable it uses documented in .env.example and read by the
settings. (`docker compose config` itself runs in `make compose-check` where the client has the plugin.)"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SETTINGS_SOURCE = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
APP_SERVICES = ("migrate", "web", "worker", "beat")


def _documented() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.M))


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_it_has_every_service_of_the_stack():
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("pgvector/pgvector:")
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert _command("web").startswith("uvicorn config.asgi:application") and "--workers=" in _command("web")
    assert "--queues=default,orchestration,documents" in _command("worker")
    assert " beat" in _command("beat")
    assert "migrate_schemas" in _command("migrate")


def test_it_gives_every_long_running_service_a_healthcheck():
    for name in ("db", "redis", "web", "worker", "beat"):
        check = SERVICES[name].get("healthcheck")
        assert check and check.get("test"), name
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_it_keeps_database_redis_and_media_in_named_volumes():
    assert {"db", "redis", "media"} <= set(COMPOSE["volumes"])
    assert "db:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "redis:/data" in SERVICES["redis"]["volumes"]
    for name in APP_SERVICES:
        assert "media:/app/media" in SERVICES[name]["volumes"], name
        assert SERVICES[name]["environment"]["MEDIA_ROOT"] == "/app/media"


def test_it_configures_the_app_from_env_in_production_mode():
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["env_file"] == "${CHORUS_ENV_FILE:-.env}", name
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_it_documents_every_variable_it_uses_in_env_example():
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", COMPOSE_TEXT))
    assert used, "the compose file reads no variable?"
    assert used - _documented() == set()


def test_it_sets_only_variables_the_settings_read():
    for name in APP_SERVICES:
        for variable in SERVICES[name]["environment"]:
            if variable == "DJANGO_SETTINGS_MODULE":
                continue
            assert f'"{variable}"' in SETTINGS_SOURCE, variable


def test_it_documents_every_variable_the_settings_read():
    read = set(re.findall(r'env(?:\.[a-z]+)?\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE))
    assert "SECRET_KEY" in read
    assert read - _documented() == set()


def test_it_builds_a_multi_stage_image_that_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, flags=re.M)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert "msgfmt" in dockerfile and "collectstatic" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".data", ".git"} <= set(ignored)
