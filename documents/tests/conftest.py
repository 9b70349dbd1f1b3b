import pytest


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to this test's own MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def upload(media, in_tenant):
    """``upload(tenant, user, name, data, **kw)``: store and process one file; returns the document."""
    from documents import services

    def make(tenant, user, name, data, *, process=True, **kw):
        with in_tenant(tenant):
            result = services.document_upload(owner=user, name=name, data=data, **kw)
            if process:
                services.document_process(document_id=result.document.pk)
            result.document.refresh_from_db()
            return result.document

    return make
