"""Translations are complete (issue 11): every string the code and the templates mark for
translation has a Slovenian text, and no Slovenian catalog entry is empty or fuzzy.

The strings are extracted the way ``makemessages`` does (Django's ``templatize`` for templates,
then xgettext with Django's keywords); a string counts as translated when one of the project's
catalogs holds a non-empty, non-fuzzy text for it, or when Django's or allauth's own Slovenian
catalog does (gettext under "sl" returns something else)."""

import subprocess
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import template as dj_template

from core import tools

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "billing", "chat", "config", "core", "documents", "orchestration", "tenants")
KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


def _catalogs() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/locale/sl/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def _python_sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if not {"tests", "migrations", "testing"} & set(path.relative_to(ROOT).parts):
                files.append(path)
    return files


def _template_sources() -> list[Path]:
    dirs = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return [p for d in dirs if d.is_dir() for p in d.rglob("*") if p.suffix in (".html", ".txt")]


def _extract(tmp_path) -> polib.POFile:
    sources = [str(p) for p in _python_sources()]
    for index, path in enumerate(_template_sources()):
        converted = tmp_path / f"t{index}.py"
        converted.write_text(
            dj_template.templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8"
        )
        sources.append(str(converted))
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(sources), encoding="utf-8")
    out = tmp_path / "all.pot"
    subprocess.run(
        [
            tools.xgettext() or "xgettext",
            *("-L", "Python", "--from-code=UTF-8", "--no-wrap", *KEYWORDS),
            *("-f", str(listing), "-o", str(out)),
        ],
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(out))


def _translated_in_catalogs() -> set[tuple[str, str]]:
    done = set()
    for path in _catalogs():
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete:
                done.add((entry.msgctxt or "", entry.msgid))
    return done


def _has_runtime_translation(entry) -> bool:
    with translation.override("sl"):
        if entry.msgid_plural:
            text = (
                translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 5)
                if entry.msgctxt
                else translation.ngettext(entry.msgid, entry.msgid_plural, 5)
            )
            return text != entry.msgid_plural
        text = translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)
        return text != entry.msgid


@pytest.mark.parametrize("path", _catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_has_no_empty_or_fuzzy_slovenian_entry(path):
    catalog = polib.pofile(str(path))
    bad = [e.msgid for e in catalog if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not bad, f"{path.relative_to(ROOT)}: untranslated or fuzzy: {bad}"


def test_it_has_a_slovenian_text_for_every_marked_string(tmp_path):
    done = _translated_in_catalogs()
    missing = sorted(
        {
            e.msgid
            for e in _extract(tmp_path)
            if e.msgid and (e.msgctxt or "", e.msgid) not in done and not _has_runtime_translation(e)
        }
    )
    assert not missing, f"{len(missing)} strings without a Slovenian text:\n" + "\n".join(missing)
