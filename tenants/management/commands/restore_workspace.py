from tenants.management.backup_arguments import BackupCommand, backup_file, subdomain


class Command(BackupCommand):
    help = (
        "Restore a workspace from a backup_workspace file, as a new workspace when --subdomain is given "
        "(the original is not touched). Every part is checked first; a failed restore leaves nothing."
    )
    not_done = "Nothing restored"

    def add_arguments(self, parser):
        parser.add_argument("file", type=backup_file)
        parser.add_argument(
            "--subdomain", type=subdomain, default=None, help="restore under this subdomain (default: the original)"
        )

    def handle(self, *args, file, subdomain, **options):
        from tenants.backups import workspace_restore
        from tenants.services import tenant_url

        result = self.run_backup(workspace_restore, path=file, subdomain=subdomain)
        self.stdout.write(f"{tenant_url(result.tenant, '/')}  ({result.rows} rows, {result.files} files)")
