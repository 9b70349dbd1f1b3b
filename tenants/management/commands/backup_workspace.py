from tenants.management.backup_arguments import BackupCommand, existing_subdomain, output_file


class Command(BackupCommand):
    help = (
        "Back up one workspace to one file: a tar of pg_dump of its schema, its files, and a manifest "
        "(row counts, sha256 of every part), all as they were at one instant. Restore it with restore_workspace."
    )
    not_done = "Backup not written"

    def add_arguments(self, parser):
        parser.add_argument("subdomain", type=existing_subdomain)
        parser.add_argument(
            "--output", required=True, type=output_file, help="the file to write (replaced only once complete)"
        )

    def handle(self, *args, subdomain, output, **options):
        from tenants.backups import workspace_backup

        manifest = self.run_backup(workspace_backup, subdomain=subdomain, output=output)
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"{output}: schema {manifest['schema']}, {rows} rows, {len(manifest['files'])} files")
