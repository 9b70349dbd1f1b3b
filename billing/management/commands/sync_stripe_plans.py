from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the Stripe products and prices of the plans (idempotent; changed prices are replaced)."

    def handle(self, *args, **options):
        from billing import stripe_api
        from billing.services import plans_sync_to_stripe

        if not stripe_api.configured():
            raise CommandError(
                "Billing is not configured: set STRIPE_SECRET_KEY (and STRIPE_API_BASE for a test server)."
            )
        try:
            report = plans_sync_to_stripe()
        except stripe_api.StripeError as exc:
            raise CommandError(f"Stripe refused or cannot be reached: {exc}") from None
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(f"created {report.created}, updated {report.updated}, archived {report.archived}")
