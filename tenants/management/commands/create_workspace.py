from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Provision a workspace (tenant) with its owner account and print its URL."

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--plan", default=None, help="billing plan code (default: the free plan)")

    def handle(self, *args, subdomain, name, owner_email, owner_password, plan, **options):
        from django.conf import settings
        from django.utils.module_loading import import_string

        from tenants.models import Tenant
        from tenants.services import tenant_create, tenant_provision, tenant_url

        # The plan is applied by a hook named in settings (tenants imports no other app, DESIGN §3).
        plan_hook = (
            import_string(settings.TENANT_PLAN_HOOK) if plan and getattr(settings, "TENANT_PLAN_HOOK", "") else None
        )
        if plan and plan_hook is None:
            raise CommandError("--plan needs TENANT_PLAN_HOOK in the settings (billing is not installed).")
        check = getattr(plan_hook, "check", None)
        if plan and check is not None:
            try:
                check(plan)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None

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
        if plan_hook is not None:
            plan_hook(tenant, plan)
        self.stdout.write(tenant_url(tenant, "/"))
