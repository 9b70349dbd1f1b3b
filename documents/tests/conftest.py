import pytest

from chat.tests.browser import browser_instance  # noqa: F401 - one Chromium per module
from documents.tests.browser_fixtures import docs_live, docs_page  # noqa: F401


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


@pytest.fixture
def documents_catalog():
    """documents' compiled Slovenian catalog (``make messages`` compiles it; this does when pytest runs alone)."""
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parents[1] / "locale" / "sl" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
        from django.utils import translation

        translation.trans_real._translations = {}
        translation.trans_real._default = None


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Slovenian leaves the thread's language active; each test starts in English."""
    from django.utils import translation

    yield
    translation.deactivate()
