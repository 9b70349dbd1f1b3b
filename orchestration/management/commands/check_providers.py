"""Call each configured LLM provider once (per tenant, or the platform keys) and print a status line each."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from core.tasks import tenant_job

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
        from tenants.selectors import tenants_ready

        failures = 0
        if platform:
            targets = [get_public_schema_name()]
        else:  # suspended workspaces make no calls: checked only when named with --schema
            ready = tenants_ready(include_suspended=bool(schema)).values_list("schema_name", flat=True)
            targets = [s for s in ready if not schema or s in schema]
        for name in targets:
            label = "platform" if name == get_public_schema_name() else name
            try:  # each workspace on its own: a broken one is reported and the others are still checked
                with schema_context(name):
                    if name == get_public_schema_name():
                        configs = selectors.provider_configs(selectors.SettingsSnapshot())
                    else:
                        with tenant_job("check_providers"), transaction.atomic():  # reads only, no calls
                            configs = selectors.provider_configs(selectors.settings_snapshot())
            except Exception as exc:  # noqa: BLE001
                failures += 1
                self.stdout.write(f"{label}: FAILED to read its providers ({type(exc).__name__}: {exc})")
                continue
            with schema_context(name):
                for config in configs:
                    if config.provider == "offline":
                        self.stdout.write(f"{label} offline: no provider configured (answers say they are offline)")
                        continue
                    ok, line = check(config)
                    failures += not ok
                    source = "platform key" if config.platform else "workspace key"
                    self.stdout.write(f"{label} {config.provider} {config.default_model} ({source}): {line}")
        if failures:
            raise CommandError(f"{failures} check(s) failed")
