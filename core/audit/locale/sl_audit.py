"""Slovenian texts of the audit log, applied to locale/sl/LC_MESSAGES/django.po with
`python core/audit/locale/sl_audit.py` after `makemessages`."""

from pathlib import Path

SL = {
    "Audit log": "Revizijski dnevnik",
    "added": "dodal",
    "changed": "spremenil",
    "deleted": "izbrisal",
    "ran an action": "izvedel dejanje",
    "signed in to the admin": "se je prijavil v administracijo",
    "failed to sign in to the admin": "se ni uspel prijaviti v administracijo",
    "when": "kdaj",
    "actor id": "id izvajalca",
    "who": "kdo",
    "action": "dejanje",
    "admin action": "skrbniško dejanje",
    "object type": "vrsta predmeta",
    "object id": "id predmeta",
    "object": "predmet",
    "changes": "spremembe",
    "IP address": "naslov IP",
    "audit entry": "revizijski zapis",
    "audit entries": "revizijski zapisi",
}

if __name__ == "__main__":
    import polib

    path = Path(__file__).parent / "sl/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if e.msgid not in SL]
    for entry in po:
        if entry.msgid in SL:
            entry.msgstr = SL[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.metadata["Language"] = "sl"
    po.metadata["Plural-Forms"] = "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);"
    po.save(str(path))
    print(f"{len(po) - len(missing)} translated, {len(missing)} missing", missing)
