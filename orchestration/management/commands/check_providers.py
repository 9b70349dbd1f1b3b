"""Call each configured LLM provider once (per tenant, or the platform keys) and print a status line each."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

PROMPT = [{"role": "user", "content": "Reply with the single word: ok"}]


def check(config) -> tuple[bool, str]:
    from orchestration.providers import Call, ProviderError, get

    started = time.monotonic()
    try:
        completion = Call(get(config), messages=PROMPT, max_tokens=5, temperature=0).run()
    except ProviderError as err:
        return False, f"FAILED ({err.code}): {err.user_message}"
    ms = int((time.monotonic() - started) * 1000)
    return True, f"ok in {ms} ms, {completion.prompt_tokens}+{completion.completion_tokens} tokens"


class Command(BaseCommand):
    help = "Calls each configured LLM provider once and prints a status line each."

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="append", help="only this tenant schema (repeatable)")
        parser.add_argument("--platform", action="store_true", help="only the platform keys from the environment")

    def handle(self, *args, schema=None, platform=False, **options):
        from orchestration import selectors

        failures = 0
        if platform:
            targets = [get_public_schema_name()]
        else:
            qs = get_tenant_model().objects.exclude(schema_name=get_public_schema_name()).order_by("schema_name")
            targets = [t.schema_name for t in qs if not schema or t.schema_name in schema]
        for name in targets:
            with schema_context(name):
                snapshot = (
                    selectors.settings_snapshot() if name != get_public_schema_name() else selectors.SettingsSnapshot()
                )
                configs = selectors.provider_configs(snapshot)
                label = "platform" if connection.schema_name == get_public_schema_name() else name
                for config in configs:
                    if config.provider == "offline":
                        self.stdout.write(f"{label} offline: no provider configured (answers say they are offline)")
                        continue
                    ok, line = check(config)
                    failures += not ok
                    source = "platform key" if config.platform else "workspace key"
                    self.stdout.write(f"{label} {config.provider} {config.default_model} ({source}): {line}")
        if failures:
            raise CommandError(f"{failures} provider check(s) failed")
