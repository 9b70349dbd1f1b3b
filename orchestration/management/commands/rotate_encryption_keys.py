"""Re-encrypt every stored secret in every tenant schema with the first key of FERNET_KEYS.

Put the new key first in FERNET_KEYS (keep the old ones after it), run this, then drop the old
keys. Each ready workspace (suspended ones too: their secrets must outlive the old key) is
re-encrypted on its own, in one transaction: a secret that no key opens, or a schema that is gone,
leaves that workspace unchanged, is reported, and the others are still re-encrypted; the command
then exits non-zero.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.crypto import DecryptionError
from core.tasks import SchemaMissing, tenant_job


class Command(BaseCommand):
    help = "Re-encrypts every stored secret in every schema with the first key of FERNET_KEYS."

    def handle(self, *args, **options):
        from orchestration.services import credentials_reencrypt
        from tenants.selectors import tenants_ready

        total, done, failed = 0, 0, []
        for schema in tenants_ready().values_list("schema_name", flat=True):
            try:
                with schema_context(schema), tenant_job("rotate_encryption_keys"):
                    count = credentials_reencrypt()  # one transaction: all of the schema's secrets or none
            except DecryptionError:
                failed.append(schema)
                self.stderr.write(f"{schema}: a secret cannot be decrypted with FERNET_KEYS; unchanged")
                continue
            except SchemaMissing:
                failed.append(schema)
                self.stderr.write(f"{schema}: the schema does not exist; skipped")
                continue
            except Exception as exc:  # noqa: BLE001 - one broken workspace must not stop the others
                failed.append(schema)
                self.stderr.write(f"{schema}: failed ({type(exc).__name__}); unchanged")
                continue
            total += count
            done += 1
            self.stdout.write(f"{schema}: {count} secret(s) re-encrypted")
        self.stdout.write(f"done: {total} secret(s) re-encrypted in {done} schema(s)")
        if failed:
            raise CommandError(f"{len(failed)} schema(s) not re-encrypted: {', '.join(failed)}")
