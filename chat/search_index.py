"""What the full-text index holds for a message: its words, plus one lexeme naming the conversation's owner.

Search is always "this user's messages matching these words". A GIN index on the words alone
finds every match in the tenant and filters by owner afterwards (55,000 heap pages read for a
common pair of words at a million messages). With the owner's lexeme inside the same tsvector the
GIN index intersects both and reads only the user's matches. The lexeme starts with "~", which the
text parser never produces, so no text can match it; queries add it as a literal tsquery.

The words are stemmed with the workspace's text configuration (chat.text.search_config, from its
language). The configuration the vectors were built with is recorded (SearchIndexState): queries
use that one, so a change of language never makes old messages unfindable, and a change starts a
rebuild in a task (services.search.search_index_rebuild) after which queries use the new one. This
works for whatever configurations the languages map to.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

from .models import SearchIndexState
from .text import search_config

CACHE_KEY = "chat:search-index-state:v1"  # tenant-scoped by django_tenants.cache.make_key
CACHE_SECONDS = 600


def owner_lexeme(user_id) -> str:
    return "~u" + str(user_id).replace("-", "")


def owner_tsquery(user_id) -> str:
    return f"'{owner_lexeme(user_id)}'"


_SQL = """
UPDATE chat_message AS m
SET search_vector = to_tsvector(%s::regconfig, m.content)
    || array_to_tsvector(ARRAY['~u' || replace(c.user_id::text, '-', '')])
FROM chat_conversation AS c
WHERE c.id = m.conversation_id AND m.id = ANY(%s::uuid[])
"""


def index_configs() -> tuple[str, ...]:
    """The configurations the messages are indexed with now (two while a rebuild runs); for queries."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        state = SearchIndexState.objects.filter(pk=1).first()
        if state is None:  # nothing indexed yet: the vectors will be built with today's configuration
            return (search_config(),)
        cached = remember(state)
    return tuple(cached)


def remember(state: SearchIndexState) -> tuple[str, ...]:
    """Cache the state's configurations (after the transaction that changed it commits)."""
    configs = state.configs
    transaction.on_commit(lambda: cache.set(CACHE_KEY, list(configs), CACHE_SECONDS))
    return configs


def write_with(ids: list[str], config: str) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            cursor.execute(_SQL, [config, ids[start : start + 5000]])
