"""Re-encrypt every stored secret in every tenant schema with the first key of FERNET_KEYS.

Put the new key first in FERNET_KEYS (keep the old ones after it), run this, then drop the old
keys. Each schema is re-encrypted in one transaction; a secret that no key opens stops the
command with a non-zero exit and leaves that schema unchanged.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from core.crypto import DecryptionError


class Command(BaseCommand):
    help = "Re-encrypts every stored secret in every schema with the first key of FERNET_KEYS."

    def handle(self, *args, **options):
        from orchestration.services import credentials_reencrypt

        total, failed = 0, []
        tenants = get_tenant_model().objects.exclude(schema_name=get_public_schema_name()).order_by("schema_name")
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                try:
                    count = credentials_reencrypt()
                except DecryptionError:
                    failed.append(tenant.schema_name)
                    self.stderr.write(f"{tenant.schema_name}: a secret cannot be decrypted with FERNET_KEYS; unchanged")
                    continue
            total += count
            self.stdout.write(f"{tenant.schema_name}: {count} secret(s) re-encrypted")
        self.stdout.write(f"done: {total} secret(s) re-encrypted in {tenants.count() - len(failed)} schema(s)")
        if failed:
            raise CommandError(f"{len(failed)} schema(s) hold secrets no key in FERNET_KEYS opens: {', '.join(failed)}")
