from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Apply every tenant's subscription and recent invoices as Stripe has them now (what the nightly job does)."

    def handle(self, *args, **options):
        from billing import stripe_api
        from billing.services import reconcile_all

        if not stripe_api.configured():
            raise CommandError("Billing is not configured: set STRIPE_SECRET_KEY.")
        counts = reconcile_all()
        self.stdout.write(f"checked {counts['checked']}, failed {counts['failed']}")
