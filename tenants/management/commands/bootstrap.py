"""Everything `make run` / `make test` need in the database: migrations, the template schema,
the public tenant and (with --demo) the demo workspace."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "chorus-demo-2026"


class Command(BaseCommand):
    help = "Migrate, prepare the tenant template schema and the public tenant; optionally the demo workspace."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="ensure the demo workspace exists")

    def handle(self, *args, demo=False, **options):
        from tenants.models import Tenant
        from tenants.services import (
            public_tenant_ensure,
            template_schema_ensure,
            tenant_create,
            tenant_provision,
            tenant_url,
        )

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_schema_ensure()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        if demo:
            tenant = Tenant.objects.filter(subdomain="demo").first()
            if tenant is None:
                tenant = tenant_create(
                    name="Demo",
                    subdomain="demo",
                    owner_email=DEMO_EMAIL,
                    owner_password=DEMO_PASSWORD,
                    owner_name="Demo Owner",
                    provision=False,
                )
            if not tenant.ready:
                tenant = tenant_provision(tenant_id=tenant.pk)
            self.stdout.write(f"Demo workspace: {tenant_url(tenant, '/accounts/login/')}")
            self.stdout.write(f"  e-mail:   {DEMO_EMAIL}")
            self.stdout.write(f"  password: {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS(f"Ready (database {settings.DATABASES['default']['NAME']})."))
