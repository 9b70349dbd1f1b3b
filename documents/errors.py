"""Errors a user sees, one per file: validation at upload, extraction during processing."""

from __future__ import annotations


class DocumentError(Exception):
    """A problem with one file, with a message for its owner (translated where it is raised)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        self.message = message
        self.code = code
        super().__init__(message)


class UploadRefused(DocumentError):
    """A limit of the workspace's plan or features refused the upload (not the file's fault)."""


class Cancelled(Exception):
    """The owner cancelled processing; raised between batches."""
