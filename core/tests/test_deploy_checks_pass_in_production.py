"""`manage.py check --deploy` with the production settings and a production-like environment (as
docker-compose.yml gives it) reports nothing; switching a protection off is reported (so the
checks really ran against these settings)."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(**extra: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" + Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "FERNET_KEYS": Fernet.generate_key().decode(),
        # nothing connects: check --deploy reads settings only (loopback addresses, closed ports)
        "DATABASE_URL": "postgres://chorus@127.0.0.1:1/chorus",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "BASE_DOMAIN": "chorus.example.com",
        "CHORUS_DATA_DIR": str(ROOT / ".data" / "deploy-check"),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_reports_no_issue_with_production_settings():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_reports_a_disabled_protection():
    result = _check_deploy(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W004" in result.stderr + result.stdout
