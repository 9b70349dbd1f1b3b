"""recount_documents [--subdomain S]: set each workspace's document counter (the plan's document
limit, billing's) to the documents that exist. A one-off for workspaces whose documents were
uploaded before the counter was kept; idempotent, so it is safe to run again at any time."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context


class Command(BaseCommand):
    help = "Set each workspace's document counter (plan limit) to the documents that exist."

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", help="only this workspace")

    def handle(self, *args, subdomain=None, **options):
        from documents.limits import recount
        from tenants.models import Tenant

        tenants = Tenant.objects.exclude(schema_name=get_public_schema_name())
        if subdomain:
            tenants = tenants.filter(subdomain=subdomain)
            if not tenants.exists():
                raise CommandError(f"No workspace with subdomain {subdomain!r}.")
        for tenant in tenants.order_by("subdomain"):
            with schema_context(tenant.schema_name):
                before, after = recount()
            change = "unchanged" if before == after else f"{before} -> {after}"
            self.stdout.write(f"{tenant.subdomain}: {after} document(s) counted ({change})")
