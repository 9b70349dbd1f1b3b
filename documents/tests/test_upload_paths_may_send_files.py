"""The body-size guard (core/body_limit.py) lets the upload URLs send files and keeps its small
cap everywhere else."""

import uuid

from django.conf import settings

from core.body_limit import limit_for


def test_the_upload_urls_get_the_upload_cap():
    big, small = settings.REQUEST_BODY_UPLOAD_MAX_BYTES, settings.REQUEST_BODY_MAX_BYTES
    assert big > small
    for path in ("/documents/upload/", "/chat/files/", f"/chat/{uuid.uuid4()}/files/",
                 "/admin/documents/knowledgeentry/bulk-upload/"):  # fmt: skip
        assert limit_for(path) == big, path
    for path in (f"/chat/{uuid.uuid4()}/messages/", "/chat/new/", f"/chat/{uuid.uuid4()}/files/x/remove/"):
        assert limit_for(path) == small, path
