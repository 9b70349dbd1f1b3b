"""What backup_workspace and restore_workspace share: their arguments' checks and their failures.

A new subdomain is checked as a new workspace's would be (lower-cased first); a backup file must exist
and be a file, an output file must have an existing folder. Bad input stops the command before any
work with one line naming the argument; a BackupError becomes "<what was not done>: <why>"."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def existing_subdomain(value: str) -> str:
    """A workspace's subdomain as typed (its workspace must exist; the backup says so if not)."""
    return value.strip().lower()


def subdomain(value: str) -> str:
    """A new workspace's subdomain: checked as the signup checks it."""
    from tenants.validators import validate_subdomain

    value = value.strip().lower()
    try:
        validate_subdomain(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(" ".join(exc.messages)) from None
    return value


def backup_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return path


def output_file(value: str) -> Path:
    path = Path(value)
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{path.parent}: no such folder")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder")
    return path


class BackupCommand(BaseCommand):
    not_done = "Not done"  # the start of the failure line: "Backup not written", "Nothing restored"

    def run_backup(self, fn, **kwargs):
        from tenants.backups import BackupError

        try:
            return fn(**kwargs)
        except BackupError as exc:
            raise CommandError(f"{self.not_done}: {exc}") from None
