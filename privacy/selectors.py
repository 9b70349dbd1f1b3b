from __future__ import annotations

from django.conf import settings
from django.core import signing

from .models import AccountDeletion, DataExport

SALT = "privacy.export.download"


def latest_export_of(*, user) -> DataExport | None:
    return DataExport.objects.filter(user=user).first()


def export_for(*, user, export_id) -> DataExport | None:
    """The export if ``user`` may see it: its subject, or the admin who asked for it."""
    from django.db.models import Q

    return DataExport.objects.filter(Q(user=user) | Q(requested_by=user), pk=export_id).first()


def export_download_token(export: DataExport) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(export.pk))


def export_id_from_token(token: str) -> str | None:
    """The export id in a download link, or None when the link is forged or has expired."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.PRIVACY_EXPORT_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None


def open_deletion_of(*, user) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(user_id=user.pk, cancelled_at=None, completed_at=None).first()
