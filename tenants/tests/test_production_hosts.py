"""Production settings keep the hosts of tenants' custom domains (issue 8 §2: they answered 400)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings

from tenants.models import Domain

ROOT = Path(__file__).resolve().parents[2]


def _production_allowed_hosts(**env) -> list[str]:
    """ALLOWED_HOSTS as config.settings.production computes it, in a child process."""
    child_env = {
        k: v for k, v in os.environ.items() if k not in ("ALLOWED_HOSTS", "ALLOW_CUSTOM_DOMAINS", "BASE_DOMAIN")
    }
    child_env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="production-test-secret-key-of-enough-length-0123456789",
        FERNET_KEYS="Lkb1l3b3vT1Zl0rxT8CzH3q8xO9qk7mXGm0pD6hV3iE=",
        DATABASE_URL="postgres://chorus:chorus@127.0.0.1:9/chorus",  # never connected to
        REDIS_URL="redis://127.0.0.1:9/0",
        BASE_DOMAIN="chorus.example",
        **env,
    )
    code = "import json; from django.conf import settings; print(json.dumps(settings.ALLOWED_HOSTS))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=child_env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_it_answers_a_tenants_custom_domain_with_the_production_hosts(tenant_a):
    hosts = _production_allowed_hosts()
    Domain.objects.create(domain="chat.customer.example", tenant=tenant_a, is_custom=True)
    with override_settings(ALLOWED_HOSTS=hosts):
        response = Client(HTTP_HOST="chat.customer.example").get("/accounts/login/")
        unknown = Client(HTTP_HOST="nobody.example").get("/accounts/login/")
    assert response.status_code == 200
    assert unknown.status_code == 404  # the tenant middleware, not ALLOWED_HOSTS, turns strangers away


def test_it_lets_an_operator_restrict_the_hosts():
    assert _production_allowed_hosts(ALLOW_CUSTOM_DOMAINS="false") == ["chorus.example", ".chorus.example"]
