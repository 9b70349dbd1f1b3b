from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Restore a workspace from a backup_workspace file, as a new workspace when --subdomain is given "
        "(the original is not touched). Every part is checked first; a failed restore leaves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--subdomain", default=None, help="restore under this subdomain (default: the original)")

    def handle(self, *args, file, subdomain, **options):
        from tenants.backups import BackupError, workspace_restore
        from tenants.services import tenant_url

        try:
            result = workspace_restore(path=file, subdomain=subdomain)
        except BackupError as exc:
            raise CommandError(f"Nothing restored: {exc}") from None
        self.stdout.write(f"{tenant_url(result.tenant, '/')}  ({result.rows} rows, {result.files} files)")
