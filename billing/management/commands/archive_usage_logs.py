from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Move usage logs older than two years to the archive table (seed 000 retention)."

    def handle(self, *args, **options):
        from billing.services import usage_archive

        moved = usage_archive()
        self.stdout.write(f"archived {moved} usage log(s)")
