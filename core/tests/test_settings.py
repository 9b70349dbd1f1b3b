"""Production refuses to start without its secrets, and passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FERNET_KEYS", "DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FERNET_KEYS", "DATABASE_URL", "REDIS_URL"])
def test_it_refuses_to_start_production_without_a_required_variable(missing):
    full = {
        "SECRET_KEY": "x" * 60,
        "FERNET_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": settings.DATABASES and "postgres://u:p@127.0.0.1:1/chorus",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    del full[missing]
    result = _run(full, "check")
    assert result.returncode != 0
    assert missing in result.stderr


def test_it_passes_the_deploy_checks_with_production_settings():
    result = _run(
        {
            "SECRET_KEY": "k" * 30 + "Q9!x" * 10,
            "FERNET_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": "postgres://u:p@127.0.0.1:1/chorus",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "BASE_DOMAIN": "chorus.example",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
