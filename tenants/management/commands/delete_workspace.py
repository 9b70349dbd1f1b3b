from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Delete a workspace with all its data: it stops serving, its Stripe subscriptions are cancelled, "
        "its files, schema and rows are removed. --export FILE first writes its export, in the "
        "backup_workspace format (restore_workspace reads it). Interrupted, run it again: it resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--export", default=None, metavar="FILE", help="write the workspace's backup here first")

    def handle(self, *args, subdomain, export, **options):
        from tenants.services import workspace_delete

        try:
            deleted = workspace_delete(subdomain=subdomain, export=export, out=lambda m: self.stdout.write(f"  {m}"))
        except Exception as exc:  # noqa: BLE001 - any step may fail (Stripe down, disk full): say which, resumable
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc) or exc.__class__.__name__
            raise CommandError(f"Deletion stopped (run it again to resume): {message}") from None
        if not deleted:
            raise CommandError(f"No workspace “{subdomain}” (already deleted?).")
        self.stdout.write(f"Workspace {subdomain} deleted.")
