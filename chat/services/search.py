"""The full-text index follows the workspace's language: record what it is built with, rebuild on a change."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from core.tasks import enqueue

from .. import search_index
from ..models import Message, SearchIndexState
from ..search_index import index_configs, remember, write_with
from ..text import search_config

logger = logging.getLogger(__name__)
BATCH = 2000


def search_index_sync() -> str:
    """The configuration new vectors are built with; starts a rebuild when the language changed.

    Cheap when nothing changed (the configurations come from the cache)."""
    wanted = search_config()
    cached = cache.get(search_index.CACHE_KEY)  # only ever set from the recorded state
    if cached and cached[-1] == wanted:
        return wanted
    with transaction.atomic():
        state, created = SearchIndexState.objects.select_for_update().get_or_create(pk=1, defaults={"config": wanted})
        if not created and state.target != wanted:
            state.building, state.cursor = ("" if state.config == wanted else wanted), None
            state.full_clean()
            state.save(update_fields=["building", "cursor", "updated_at"])
            if state.building:
                _enqueue_rebuild()
        remember(state)
        return state.target


def search_index_check() -> bool:
    """For reads (the search page): when the language changed, have a task start the rebuild.

    Writes nothing itself; True when a task was enqueued."""
    if index_configs()[-1] == search_config():
        return False
    _enqueue_rebuild()
    return True


def _enqueue_rebuild() -> None:
    enqueue("chat.tasks.reindex_search")


def search_index_rebuild(*, batch: int = BATCH, batches: int | None = None) -> int:
    """Re-index every message with the configuration being built, in batches; returns how many.

    Each batch commits with its position, so a task that died resumes where it stopped, and a run
    that finds nothing to build does nothing (safe to run twice). ``batches``: stop after that many."""
    done = 0
    while batches is None or batches > 0:
        batches = None if batches is None else batches - 1
        with transaction.atomic():
            state = SearchIndexState.objects.select_for_update().filter(pk=1).first()
            if state is None or not state.building:
                return done
            rows = Message.objects.order_by("id").values_list("id", flat=True)
            if state.cursor is not None:
                rows = rows.filter(id__gt=state.cursor)
            ids = [str(pk) for pk in rows[:batch]]
            if ids:
                write_with(ids, state.building)
                state.cursor = ids[-1]
                state.save(update_fields=["cursor", "updated_at"])
                done += len(ids)
                continue
            logger.info("search index rebuilt with %s (%d messages)", state.building, done)
            state.config, state.building, state.cursor = state.building, "", None
            state.save(update_fields=["config", "building", "cursor", "updated_at"])
            remember(state)
            return done
    return done


def index_messages(message_ids) -> None:
    """(Re)compute the search vector of these messages with the configuration the index is built with."""
    ids = [str(i) for i in message_ids]
    if ids:
        write_with(ids, search_index_sync())
