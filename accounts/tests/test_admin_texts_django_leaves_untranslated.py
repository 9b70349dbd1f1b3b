"""The tenant admin is in Slovenian even where Django's own Slovenian catalog is not: "Select %s to
view", "Show counts", the change messages and the history's "Added:/Changed:" came out in English
(issue 11 §7, "everything translated"); the project catalog gives them a Slovenian text."""

import subprocess
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.utils import translation

DJANGO_ADMIN_SL = Path(django.__file__).parent / "contrib/admin/locale/sl/LC_MESSAGES/django.po"


@pytest.fixture
def project_catalog():
    """The project's compiled Slovenian catalog (``make messages`` compiles it; this does when pytest runs alone)."""
    from core import tools

    po = Path(settings.LOCALE_PATHS[0]) / "sl" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        msgfmt = tools.msgfmt()
        if msgfmt is None:  # never a silent skip: the Slovenian pages would be English
            pytest.fail("gettext is missing: run `make test` (installs it) or `sudo apt-get install gettext`.")
        subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
        translation.trans_real._translations = {}
        translation.trans_real._default = None
    return mo


def _left_empty_by_django() -> list[str]:
    return [
        e.msgid for e in polib.pofile(str(DJANGO_ADMIN_SL)) if not e.obsolete and not e.msgid_plural and not e.msgstr
    ]


def test_it_has_a_slovenian_text_for_every_admin_text_django_leaves_empty(project_catalog):
    left = _left_empty_by_django()
    assert "Select %s to view" in left  # what the audit log's heading used
    with translation.override("sl"):
        untranslated = [msgid for msgid in left if translation.gettext(msgid) == msgid]
    assert untranslated == []


def test_it_titles_the_audit_log_in_slovenian(tenant_client, tenant_a, owner, in_tenant, project_catalog):
    from accounts.models import User

    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
        owner.refresh_from_db()
    html = tenant_client(tenant_a, owner).get("/admin/audit/auditentry/").content.decode()
    assert "Izberite revizijski zapis za ogled" in html
    assert " to view" not in html
