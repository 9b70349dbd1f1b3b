"""Slovenian full text: PostgreSQL 'simple' on the raw words vs simplemma lemmas + 'simple'
(core/textsearch.py). A question's words are inflected differently from the passage's; we count
how often the right passage ranks first among 24, and how fast lemmatising runs.

Usage: .venv/bin/python bench/textsearch_sl.py     (own embedded servers under .data/bench)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from core.textsearch import OR_TSQUERY_SQL, prepare  # noqa: E402

# (passage, question): the question uses other forms of the passage's key words.
PAIRS = [
    ("Garancija za vrtalnik traja šestintrideset mesecev.", "Koliko časa velja garancije za vrtalnike?"),
    ("Dopust je treba napovedati vsaj dva tedna vnaprej.", "Kdaj moram napovedovati dopusta?"),
    ("Potni stroški se povrnejo v tridesetih dneh po oddaji računa.", "V koliko dneh dobim povrnjen strošek poti?"),
    ("Pisarna v Mariboru je zaprta ob sobotah in nedeljah.", "Ali je pisarno v Mariboru odprta v soboto?"),
    ("Zaposleni prejmejo regres do konca junija.", "Kdaj zaposlenim izplačajo regresa?"),
    ("Geslo mora imeti najmanj dvanajst znakov.", "Koliko znakov potrebujejo gesla?"),
    ("Reklamacije sprejemamo po elektronski pošti.", "Kako oddam reklamacijo?"),
    ("Dostava po Sloveniji je brezplačna za naročila nad petdeset evrov.", "Koliko stane dostave za naročilo?"),
    ("Baterije polnilnika ne smete puščati na soncu.", "Ali lahko baterijo pustim na soncu?"),
    ("Sestanki uprave so vsak prvi ponedeljek v mesecu.", "Kdaj je sestanek uprave?"),
    ("Službeni avtomobili se rezervirajo v koledarju.", "Kako rezerviram službenega avtomobila?"),
    ("Delavci v skladišču morajo nositi zaščitno obutev.", "Kakšno obutev nosijo delavci skladišča?"),
    ("Izobraževanja za nove sodelavce potekajo vsak torek.", "Kdaj so izobraževanje za novega sodelavca?"),
    ("Računalniško opremo naroči vodja oddelka.", "Kdo naroča računalniške opreme?"),
    ("Parkirišče za obiskovalce je za stavbo.", "Kje parkirajo obiskovalci?"),
    ("Kosilo v menzi stane pet evrov.", "Koliko stanejo kosila v menzi?"),
    ("Pogodbe podpisuje direktorica ali njen namestnik.", "Kdo podpiše pogodbo?"),
    ("Letno poročilo objavimo do konca aprila.", "Kdaj objavite letnega poročila?"),
    ("Stranke lahko izdelke vrnejo v štirinajstih dneh.", "V koliko dneh stranka vrne izdelek?"),
    ("Popusti ne veljajo za izdelke v razprodaji.", "Ali velja popust za izdelek v razprodaji?"),
    ("Varnostne kopije strežnikov nastajajo vsako noč.", "Kdaj nastane varnostna kopija strežnika?"),
    ("Tiskalnik v drugem nadstropju ne tiska barvno.", "Ali tiskalniki v nadstropju tiskajo barve?"),
    ("Nadure je treba vpisati v evidenco do petka.", "Do kdaj vpišem nadur?"),
    ("Obisk zdravnika med delovnim časom se opraviči s potrdilom.", "Kako opravičim obiske pri zdravniku?"),
]


def _rank(config: str, lemmatise: bool) -> float:
    lang = "sl" if lemmatise else ""
    hits = 0
    with connection.cursor() as cursor:
        docs = [prepare(p, lang) if lemmatise else p for p, _q in PAIRS]
        for i, (_p, question) in enumerate(PAIRS):
            q = prepare(question, lang) if lemmatise else question
            cursor.execute(
                f"SELECT i FROM unnest(%s::text[]) WITH ORDINALITY AS d(t, i), (SELECT {OR_TSQUERY_SQL} AS q) qq "
                "WHERE to_tsvector(%s::regconfig, d.t) @@ qq.q "
                "ORDER BY ts_rank_cd(to_tsvector(%s::regconfig, d.t), qq.q) DESC LIMIT 1",
                [docs, config, q, config, config],
            )
            row = cursor.fetchone()
            hits += bool(row and row[0] == i + 1)
    return hits / len(PAIRS)


def main() -> None:
    print(f"{len(PAIRS)} Slovenian passages, one question each (other word forms); right passage ranked first:")
    print(f"  'simple' on the raw words          {_rank('simple', False):.2f}")
    print(f"  simplemma lemmas + 'simple'        {_rank('simple', True):.2f}")
    text = " ".join(p for p, _q in PAIRS) * 200
    words = len(text.split())
    prepare("ogrevanje", "sl")  # load the dictionary once (about 0.4 s)
    t = time.perf_counter()
    prepare(text, "sl")
    print(f"  lemmatising: {words / (time.perf_counter() - t):,.0f} words/s (warm cache)")


if __name__ == "__main__":
    main()
