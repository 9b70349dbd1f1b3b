"""reembed_documents [--subdomain S]: re-embed every chunk whose embedding model differs from
the workspace's current one, with progress; each batch is saved, so it is safe to interrupt and
run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context


class Command(BaseCommand):
    help = "Re-embed document chunks made with another embedding model than the workspace's current one."

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", help="only this workspace")

    def handle(self, *args, subdomain=None, **options):
        from documents.embedders import current
        from documents.services import documents_reembed
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
