"""Full-text search per language, shared by document retrieval and (later) chat search.

PostgreSQL has no Slovenian stemmer. Slovenian text is lemmatised in Python with simplemma
(a dictionary lemmatiser, 54 languages, no dependencies) and indexed with the ``simple``
configuration, so "garancije", "garanciji" and "garancijo" all become the lexeme "garancija".
The same preparation runs on the query. Languages PostgreSQL stems itself (English, German, ...)
go to their own configuration untouched. Measured in docs/PERFORMANCE.md (documents section).
"""

from __future__ import annotations

import re
from functools import lru_cache

# language code -> PostgreSQL text search configuration
CONFIGS = {"en": "english", "de": "german", "fr": "french", "it": "italian", "es": "spanish", "sl": "simple"}
LEMMATISED = {"sl", "hr", "sr", "cs", "sk", "pl"}  # no PostgreSQL stemmer: simplemma + 'simple'
DETECTABLE = ("en", "sl")
_WORD = re.compile(r"\w+", re.UNICODE)


def config_for(language: str) -> str:
    return CONFIGS.get((language or "").lower()[:2], "simple")


@lru_cache(maxsize=200_000)
def _lemma(word: str, language: str) -> str:
    import simplemma

    return simplemma.lemmatize(word, lang=language).lower()


# The 'simple' configuration keeps every word; these (lemmas of) Slovenian function words would
# match almost every passage, so they are dropped as PostgreSQL's own stemmers drop theirs.
STOP_WORDS = {
    "sl": set(
        "biti in v na za z s se da je so ki ko ali pa tudi kot po od do pri o iz k h ne to ta ti tisti ter a "
        "še že le samo kaj kdo kje kdaj kako koliko zakaj kateri jaz ti on ona ono mi vi oni me te ga jo jih "
        "mu ji jim nas vas svoj moj tvoj njen njegov naš vaš bi bo bom boš bodo sem si smo ste sta pred med "
        "nad pod čez brez zaradi glede proti skozi če ker saj vendar toda ampak torej zato ni nisem niso".split()
    )
}


def prepare(text: str, language: str) -> str:
    """The text to give ``to_tsvector(config_for(language), ...)``."""
    lang = (language or "").lower()[:2]
    if lang not in LEMMATISED:
        return text
    stop = STOP_WORDS.get(lang, set())
    lemmas = (_lemma(w.lower(), lang) for w in _WORD.findall(text))
    return " ".join(w for w in lemmas if w not in stop)


def detect_language(text: str, default: str = "en") -> str:
    """The most likely of the languages we index specially, from a sample of the text."""
    sample = text[:4000]
    if len(_WORD.findall(sample)) < 3:
        return default
    import simplemma

    best, score = max(simplemma.langdetect(sample, lang=DETECTABLE), key=lambda pair: pair[1])
    return best if best != "unk" and score > 0.2 else default


# An OR query over the question's lexemes: a natural-language question rarely has every word in
# one passage (websearch_to_tsquery would AND them); ranking sorts out the best matches.
OR_TSQUERY_SQL = (
    "(SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(l), ' | '), ''))"
    " FROM unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s))) AS l)"
)
