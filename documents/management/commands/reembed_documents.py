"""reembed_documents [--subdomain S] [--inline-vectors]: re-embed every chunk whose embedding model
differs from the workspace's current one, with progress; each batch is saved, so it is safe to
interrupt and run again.

``--inline-vectors`` then moves the vectors of chunk rows written before migration 0003 (kept in the
TOAST table) into their rows, in batches, online: once after upgrading past 0003 (PERFORMANCE.md,
documents run 4; the offline alternative is ``VACUUM FULL documents_documentchunk`` per schema)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context


class Command(BaseCommand):
    help = "Re-embed document chunks made with another embedding model than the workspace's current one."

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", help="only this workspace")
        parser.add_argument(
            "--inline-vectors",
            action="store_true",
            help="also move vectors stored out of line (rows from before migration 0003) into their rows",
        )

    def handle(self, *args, subdomain=None, inline_vectors=False, **options):
        from documents.embedders import current
        from documents.services import chunk_vectors_move_inline, chunk_vectors_toasted, documents_reembed
        from tenants.models import Tenant

        tenants = Tenant.objects.exclude(schema_name=get_public_schema_name())
        if subdomain:
            tenants = tenants.filter(subdomain=subdomain)
            if not tenants.exists():
                raise CommandError(f"No workspace with subdomain {subdomain!r}.")
        for tenant in tenants.order_by("subdomain"):
            with schema_context(tenant.schema_name):
                model = current().name

                def progress(n, total, doc, chunks, _t=tenant):
                    self.stdout.write(f"  [{n}/{total}] {doc.original_filename}: {chunks} chunk(s)")

                self.stdout.write(f"{tenant.subdomain}: re-embedding with {model}")
                docs, chunks = documents_reembed(progress=progress)
                self.stdout.write(
                    self.style.SUCCESS(f"{tenant.subdomain}: {docs} document(s), {chunks} chunk(s) re-embedded")
                )
                if inline_vectors:
                    toasted = chunk_vectors_toasted()
                    self.stdout.write(f"{tenant.subdomain}: {toasted} chunk vector(s) stored out of line")
                    moved = chunk_vectors_move_inline(
                        progress=lambda n, _t=toasted: self.stdout.write(f"  {n}/{_t} moved into their rows")
                    )
                    left = chunk_vectors_toasted()
                    self.stdout.write(
                        self.style.SUCCESS(f"{tenant.subdomain}: {moved} vector(s) moved into their rows, {left} left")
                    )
