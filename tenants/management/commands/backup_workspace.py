from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Back up one workspace to one file: a tar of pg_dump of its schema, its files, and a manifest "
        "(row counts, sha256 of every part). Restore it with restore_workspace."
    )

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--output", required=True, help="the file to write (replaced only once complete)")

    def handle(self, *args, subdomain, output, **options):
        from tenants.backups import BackupError, workspace_backup

        try:
            manifest = workspace_backup(subdomain=subdomain, output=output)
        except BackupError as exc:
            raise CommandError(f"Backup not written: {exc}") from None
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"{output}: schema {manifest['schema']}, {rows} rows, {len(manifest['files'])} files")
