from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Provision a workspace (tenant) with its owner account and print its URL."

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--plan", default=None, help="billing plan code (applied once billing exists)")

    def handle(self, *args, subdomain, name, owner_email, owner_password, plan, **options):
        from tenants.models import Tenant
        from tenants.services import tenant_create, tenant_provision, tenant_url

        try:
            tenant = tenant_create(
                name=name,
                subdomain=subdomain,
                owner_email=owner_email,
                owner_password=owner_password,
                provision=False,
            )
        except ValidationError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError("Workspace not created.\n  " + "\n  ".join(lines)) from None
        tenant = tenant_provision(tenant_id=tenant.pk)
        if tenant.state != Tenant.State.READY:
            error = tenant.provisioning_error
            tenant.delete(force_drop=True)
            raise CommandError(f"Provisioning failed, nothing was kept: {error}")
        if plan:
            self.stderr.write(f"Note: plan '{plan}' recorded for later; billing plans are not configured yet.")
        self.stdout.write(tenant_url(tenant, "/"))
