"""Fill msgstr values of locale/sl/LC_MESSAGES/django.po from sl_core.SL (developer tool)."""

import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from sl_core import SL  # noqa: E402

path = Path(__file__).resolve().parents[1] / "sl/LC_MESSAGES/django.po"
po = polib.pofile(str(path))
missing = []
for entry in po:
    if entry.msgid in SL:
        entry.msgstr = SL[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.msgstr:
        missing.append(entry.msgid)
# Texts whose entry makemessages has not added yet are added too (the catalog test finds the rest).
present = {entry.msgid for entry in po}
for msgid, msgstr in SL.items():
    if msgid not in present:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
po.metadata["Language"] = "sl"
po.metadata["Plural-Forms"] = "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);"
po.save(str(path))
print(f"{len(po) - len(missing)} translated, {len(missing)} missing")
for m in missing:
    print("  missing:", m)
