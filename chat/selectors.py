"""Reads of the chat app: the conversation list, the thread on screen, siblings, search."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import escape

from core.db import fetch_prepared

from .models import Attachment, Conversation, ImportJob, Message
from .search_index import index_configs, owner_tsquery

LIST_PAGE_SIZE = 30
THREAD_PAGE_SIZE = 50
SEARCH_LIMIT = 20


# --- Access ------------------------------------------------------------------------------------
def conversation_get_for_user(*, user, conversation_id, include_deleted: bool = False) -> Conversation:
    """The user's own conversation, or 404 (other members' conversations do not exist for them)."""
    qs = Conversation.objects.filter(pk=conversation_id, user=user)
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    conversation = qs.first()
    if conversation is None:
        raise Http404
    return conversation


_PAGE_FIELDS = [f for f in Conversation._meta.concrete_fields if f.name != "meta_data"]  # the summary: deferred
_PAGE_COLS = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in _PAGE_FIELDS)
_PAGE_TABLE = connection.ops.quote_name(Conversation._meta.db_table)
_PAGE_SQL = f"SELECT {_PAGE_COLS}, {{exists}} FROM {_PAGE_TABLE} WHERE id = %s AND user_id = %s AND deleted_at IS NULL"
_PAGE_CONVERTERS = [getattr(f, "from_db_value", None) for f in _PAGE_FIELDS]  # JSON text to dicts


def conversation_page_get(*, user, conversation_id, exists: tuple[str, list] | None = None):
    """The conversation page's read: ``(conversation, flag)``, or 404 like
    :func:`conversation_get_for_user` (the owner's own, not deleted).

    One statement without the ORM's query building (~1 ms of a revisit's CPU, docs/PERFORMANCE.md
    "Session 6"): the row's fields but the summary (``meta_data``, loaded if ever read) and, in the
    same round trip, ``EXISTS (exists)`` when a ``(sql, params)`` is given (the composer's
    documents check), else ``flag`` is None."""
    sql, params = exists if exists is not None else ("", [])
    statement = _PAGE_SQL.format(exists=f"EXISTS ({sql})" if sql else "NULL")
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, str(conversation_id), user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return _conversation_of(row), row[-1]


def _conversation_of(row) -> Conversation:
    """The :data:`_PAGE_FIELDS` at the start of ``row`` as a ``Conversation``."""
    values = [
        convert(value, None, connection) if convert is not None and value is not None else value
        for convert, value in zip(_PAGE_CONVERTERS, row[: len(_PAGE_FIELDS)], strict=True)
    ]
    return Conversation.from_db(connection.alias, [f.attname for f in _PAGE_FIELDS], values)


def conversation_page_read(*, user, conversation_id, exists: tuple[str, list] | None = None):
    """The conversation page's read in one prepared statement (:data:`_PAGE_READ_SQL`):
    ``(conversation, flag, thread)``, or 404 as :func:`conversation_page_get`. ``thread`` is the
    saved branch's newest :data:`THREAD_PAGE_SIZE` messages as :func:`thread_for` gives them, its
    messages read only if something must be rendered."""
    sql, exists_params = exists if exists is not None else ("", [])
    named = {f"e{i}": value for i, value in enumerate(exists_params)}
    if sql:  # the documents check's positional placeholders as named ones (a prepared statement's)
        pieces = sql.split("%s")
        if len(pieces) != len(exists_params) + 1 or "%" in "".join(pieces).replace("%%", ""):
            raise ValueError("the documents check's placeholders are not plain %s")
        sql = "".join(piece + (f"%(e{i})s" if i < len(exists_params) else "") for i, piece in enumerate(pieces))
    params = {**named, "conversation": _as_uuid(conversation_id), "user": user.pk, "limit": THREAD_PAGE_SIZE}
    row = fetch_prepared(_PAGE_READ_SQL.format(exists=f"EXISTS ({sql})" if sql else "NULL"), params)
    if row is None:
        raise Http404
    n = len(_PAGE_FIELDS)
    conversation = _conversation_of(row)
    thread_params = {"start": conversation.current_leaf_id, "conversation": conversation.pk, "limit": THREAD_PAGE_SIZE}
    return conversation, row[n], _thread_from_digest(row[n + 1 :], thread_params)


def message_get_for_user(*, user, message_id) -> Message:
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, conversation__user=user, conversation__deleted_at__isnull=True, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise Http404
    return message


def attachment_get_for_user(*, user, attachment_id) -> Attachment:
    """A file sent with one of the user's own (not deleted) questions, or 404 for anyone else."""
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id,
            message__conversation__user=user,
            message__conversation__deleted_at__isnull=True,
            message__deleted_at__isnull=True,
        )  # fmt: skip
        .select_related("document")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def import_job_get_for_user(*, user, job_id) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        raise Http404
    return job


# --- Conversation list (keyset pagination: starred first, then last activity) -----------------
FILTERS = ("active", "starred", "archived")


def _encode_cursor(c: Conversation) -> str:
    raw = f"{int(c.is_starred)}|{c.last_message_at.isoformat()}|{c.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        starred, ts, pk = raw.split("|")
        return bool(int(starred)), datetime.fromisoformat(ts), pk
    except (ValueError, TypeError):
        return None


@dataclass
class ConversationPage:
    items: list[Conversation]
    next_cursor: str | None


class SidebarPage:
    """The first page of ``user``'s list (``filter``), read only when used: the sidebar's HTML is
    cached under a token per user (chat.fragments), so a page whose sidebar is cached reads no row."""

    versioned = True  # chat.fragments.render_conversation_items keys it by the user's sidebar token

    def __init__(self, *, user, filter: str = "active") -> None:
        self.user = user
        self.filter = filter
        self._page: ConversationPage | None = None

    def _read(self) -> ConversationPage:
        if self._page is None:
            self._page = conversation_list(user=self.user, filter=self.filter)
        return self._page

    @property
    def items(self) -> list[Conversation]:
        return self._read().items

    @property
    def next_cursor(self) -> str | None:
        return self._read().next_cursor


def conversation_list(*, user, filter: str = "active", cursor: str | None = None, limit: int = LIST_PAGE_SIZE):
    qs = Conversation.objects.filter(user=user, deleted_at__isnull=True).only(
        "id", "title", "is_starred", "archived_at", "last_message_at", "last_message_preview", "created_at"
    )
    if filter == "starred":
        qs = qs.filter(is_starred=True, archived_at__isnull=True)
    elif filter == "archived":
        qs = qs.filter(archived_at__isnull=False)
    else:
        qs = qs.filter(archived_at__isnull=True)
    decoded = _decode_cursor(cursor) if cursor else None
    if decoded:
        qs = qs.alias(
            _after=RawSQL(
                '("chat_conversation"."is_starred", "chat_conversation"."last_message_at", "chat_conversation"."id")'
                " < (%s, %s, %s)",
                decoded,
                output_field=BooleanField(),
            )
        ).filter(_after=True)
    rows = list(qs.order_by("-is_starred", "-last_message_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return ConversationPage(items=rows, next_cursor=_encode_cursor(rows[-1]) if more and rows else None)


# --- The thread on screen ---------------------------------------------------------------------
_PATH_SQL = """
WITH RECURSIVE path(id, parent_id) AS (
    SELECT id, parent_id FROM chat_message WHERE id = %s AND conversation_id = %s
    UNION ALL
    SELECT m.id, m.parent_id FROM chat_message m JOIN path ON m.id = path.parent_id
)
SELECT id, parent_id FROM path LIMIT %s
"""


def _path_ids(conversation_id, start_id, limit: int) -> list[tuple]:
    """Ids from ``start_id`` up towards the root, nearest first (the CTE stops at the LIMIT)."""
    with connection.cursor() as cursor:
        cursor.execute(_PATH_SQL, [start_id, conversation_id, limit])
        return cursor.fetchall()


class Thread:
    """The branch on screen: ``messages`` oldest first (:class:`ThreadRow`), ``older_cursor`` (the id
    of the message above the oldest one shown), ``siblings`` (message id -> position 1-based, count,
    prev id, next id: the ‹ 2/3 › nav) and ``digest``: a hash of everything the thread's HTML shows
    when every message in it is final (else None), the key of its cached HTML (chat.fragments).

    :func:`thread_for` reads the digest in one row; the messages are read on first use, so a revisit
    whose HTML is cached never reads them."""

    def __init__(self, *, messages=None, older_cursor=None, siblings=None, digest=None, load=None) -> None:
        self._messages, self._siblings, self._load = messages, siblings, load
        self.older_cursor, self.digest = older_cursor, digest

    def _read(self) -> None:
        if self._messages is None:
            self._messages, self._siblings = self._load() if self._load is not None else ([], {})

    @property
    def messages(self) -> list:
        self._read()
        return self._messages

    @property
    def siblings(self) -> dict:
        self._read()
        return self._siblings if self._siblings is not None else {}


# A message's siblings, oldest first (edits and regenerations: the ‹ 2/3 › nav), and a question's
# files with their documents' status, for the row ``{row}``: shared by the thread's two statements.
_SIBLINGS_OF = """CASE WHEN {row}.parent_id IS NULL
            THEN (SELECT array_agg(s.id ORDER BY s.created_at, s.id) FROM chat_message s
                  WHERE s.conversation_id = %(conversation)s AND s.parent_id IS NULL AND s.deleted_at IS NULL)
            ELSE (SELECT array_agg(s.id ORDER BY s.created_at, s.id) FROM chat_message s
                  WHERE s.parent_id = {row}.parent_id AND s.deleted_at IS NULL)
       END"""
_ATTACHMENTS_OF = """CASE WHEN {row}.role = 'user'
            THEN (SELECT string_agg(a.id::text || ':' || COALESCE(d.status, 'removed'), ',' ORDER BY a.id)
                  FROM chat_attachment a LEFT JOIN documents_document d ON d.id = a.document_id
                  WHERE a.message_id = {row}.id)
       END"""


# One statement for the page's thread: the branch up from its leaf (stopping after ``limit``
# messages), for each message only what decides how it is shown (a completed message's HTML comes
# from the fragment cache, chat.fragments, which reads the whole rows of the few it renders), and
# its siblings, oldest first (edits and regenerations: the ‹ 2/3 › nav). The siblings are two
# subqueries, not one with ``parent_id = … OR both NULL``: an ``OR`` on parent_id cannot use the
# (parent, created_at) index, so each of the 50 rows scanned its whole conversation (28 ms on the
# bench data); now a reply's siblings are one index range, and only the root scans for roots.
# ``attachment_state``: a question's files and their documents' status ("processing", "ready", or
# "removed" once deleted), which its cached fragment shows and so must be keyed by (chat.fragments);
# documents changes that status without touching the message (one index range of chat_attachment).
_THREAD_SQL = """
WITH RECURSIVE path(id, parent_id, depth) AS (
    SELECT id, parent_id, 1 FROM chat_message WHERE id = %(start)s AND conversation_id = %(conversation)s
    UNION ALL
    SELECT m.id, m.parent_id, path.depth + 1 FROM chat_message m JOIN path ON m.id = path.parent_id
    WHERE path.depth < %(limit)s
)
SELECT m.id, m.conversation_id, m.parent_id, m.role, m.status, m.created_at, m.updated_at,
       {siblings} AS sibling_ids,
       {attachments} AS attachment_state
FROM path JOIN chat_message m ON m.id = path.id
ORDER BY path.depth DESC
""".format(siblings=_SIBLINGS_OF.format(row="m"), attachments=_ATTACHMENTS_OF.format(row="m"))


# The same branch, summed up in one row: how many messages, whether one is still open, the id of the
# message above the oldest (the "older" cursor) and a SHA-256 of everything a cached thread's HTML
# shows (chat.fragments): each message's id, role, status and ``updated_at`` (a final message changes
# only through a save that moves it), its files' document status and its siblings (the versions nav),
# in order. A revisit reads this row and the cached HTML and nothing else: no 50 rows to parse, no key
# per message (docs/PERFORMANCE.md, session 8). The walk carries the columns it needs instead of
# joining chat_message again, and it is a prepared statement (core.db.fetch_prepared): planning it
# cost as much as running it.
_DIGEST_CTES = """path(id, parent_id, depth, role, status, updated_at) AS (
    SELECT id, parent_id, 1, role, status, updated_at FROM chat_message
    WHERE id = {start} AND conversation_id = %(conversation)s
    UNION ALL
    SELECT m.id, m.parent_id, path.depth + 1, m.role, m.status, m.updated_at
    FROM chat_message m JOIN path ON m.id = path.parent_id
    WHERE path.depth < %(limit)s
), shown AS (
    SELECT p.depth, p.parent_id, p.status,
           concat_ws('|', p.id, p.role, p.status, COALESCE(extract(epoch FROM p.updated_at)::text, ''),
               COALESCE(({siblings})::text, ''),
               COALESCE({attachments}, '')) AS part
    FROM path p
)"""
_DIGEST_SELECT = """SELECT count(*), COALESCE(bool_or(status IN ({open})), false),
       encode(sha256(convert_to(string_agg(part, E'\\n' ORDER BY depth DESC), 'UTF8')), 'hex'),
       (array_agg(parent_id ORDER BY depth DESC))[1]
FROM shown""".format(open=", ".join(f"'{s}'" for s in Message.OPEN))  # noqa: S608 - the model's constants
_DIGEST_CTES = _DIGEST_CTES.replace("{siblings}", _SIBLINGS_OF.format(row="p")).replace(
    "{attachments}", _ATTACHMENTS_OF.format(row="p")
)
_THREAD_DIGEST_SQL = f"WITH RECURSIVE {_DIGEST_CTES.replace('{start}', '%(start)s')}\n{_DIGEST_SELECT}"

# The conversation page's one statement: the conversation row (as :data:`_PAGE_SQL`, the owner's,
# not deleted) and the digest of its saved branch, which starts at the row's ``current_leaf_id``; no
# row when the conversation is not the user's. Prepared (core.db.fetch_prepared) like the digest:
# one round trip, planned once per connection (docs/PERFORMANCE.md, session 9).
_PAGE_READ_SQL = (
    f"WITH RECURSIVE c AS (SELECT {_PAGE_COLS}, {{exists}} FROM {_PAGE_TABLE}"
    " WHERE id = %(conversation)s AND user_id = %(user)s AND deleted_at IS NULL),\n"
) + (
    f"{_DIGEST_CTES.replace('{start}', '(SELECT current_leaf_id FROM c)')},\n"
    f"digest AS ({_DIGEST_SELECT})\nSELECT c.*, digest.* FROM c, digest"
).replace("{", "{{").replace("}", "}}")


class ThreadRow:
    """One message of the thread as the page needs it to decide how to show it: a plain row, not a
    model instance (a revisit usually takes every message's HTML from the cache, chat.fragments,
    and builds no ``Message`` at all). ``chat.fragments.render_messages`` reads the whole ``Message``
    of the few it renders."""

    __slots__ = ("pk", "conversation_id", "parent_id", "role", "status", "created_at", "updated_at",
                 "sibling_ids", "attachment_state")  # fmt: skip

    def __init__(self, row: tuple) -> None:
        (self.pk, self.conversation_id, self.parent_id, self.role, self.status, self.created_at,
         self.updated_at, self.sibling_ids, self.attachment_state) = row  # fmt: skip

    @property
    def id(self):
        return self.pk

    @property
    def is_open(self) -> bool:
        return self.status in Message.OPEN

    def get_deferred_fields(self) -> set[str]:  # what chat.fragments asks of a partly read Message
        return {"content"}

    def __repr__(self) -> str:
        return f"<ThreadRow {self.pk} {self.role} {self.status}>"


def thread_for(*, conversation: Conversation, before=None, leaf=None, limit: int = THREAD_PAGE_SIZE) -> Thread:
    """The branch on screen (root .. current leaf), newest ``limit`` messages, or older ones ``before``.

    ``leaf``: show the branch ending there instead of the saved one (reading it changes nothing).
    One row is read here (:data:`_THREAD_DIGEST_SQL`); the messages (:class:`ThreadRow`s: ids,
    stamps, status, siblings, attachment state) when first used."""
    start = before or leaf or conversation.current_leaf_id
    if start is None:
        return Thread(messages=[], siblings={})
    params = {"start": _as_uuid(start), "conversation": _as_uuid(conversation.pk), "limit": limit}
    return _thread_from_digest(fetch_prepared(_THREAD_DIGEST_SQL, params), params)


def _thread_from_digest(digest_row, params: dict) -> Thread:
    count, any_open, digest, older = digest_row
    if not count:
        return Thread(messages=[], siblings={})
    return Thread(
        older_cursor=str(older) if older is not None else None,
        digest=None if any_open else digest,
        load=lambda: _thread_rows(params),
    )


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _thread_rows(params: dict) -> tuple[list, dict]:
    with connection.cursor() as cursor:
        cursor.execute(_THREAD_SQL, params)
        messages = [ThreadRow(row) for row in cursor.fetchall()]
    siblings = {}
    for m in messages:
        group = m.sibling_ids or []
        if len(group) > 1 and m.pk in group:
            i = group.index(m.pk)
            siblings[m.pk] = {
                "position": i + 1,
                "count": len(group),
                "prev": group[i - 1] if i > 0 else None,
                "next": group[i + 1] if i + 1 < len(group) else None,
            }
    return messages, siblings


def siblings_for(conversation: Conversation, messages: list[Message]) -> dict:
    """For each message with siblings (edits, regenerations): its position and its neighbours."""
    if not messages:
        return {}
    parent_ids = {m.parent_id for m in messages if m.parent_id}
    cond = Q(parent_id__in=parent_ids)
    if any(m.parent_id is None for m in messages):
        cond |= Q(parent__isnull=True)
    groups: dict = {}
    for pk, parent_id in (
        Message.objects.filter(cond, conversation=conversation, deleted_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("id", "parent_id")
    ):
        groups.setdefault(parent_id, []).append(pk)
    result = {}
    for m in messages:
        group = groups.get(m.parent_id, [])
        if len(group) > 1 and m.pk in group:
            i = group.index(m.pk)
            result[m.pk] = {
                "position": i + 1,
                "count": len(group),
                "prev": group[i - 1] if i > 0 else None,
                "next": group[i + 1] if i + 1 < len(group) else None,
            }
    return result


def deepest_leaf(*, message: Message) -> str:
    """Follow the newest child down from ``message``: the leaf a branch switch lands on."""
    sql = """
    WITH RECURSIVE d(id, depth) AS (
        SELECT %s::uuid, 0
        UNION ALL
        SELECT (SELECT c.id FROM chat_message c WHERE c.parent_id = d.id AND c.deleted_at IS NULL
                ORDER BY c.created_at DESC, c.id DESC LIMIT 1), d.depth + 1
        FROM d WHERE d.id IS NOT NULL AND d.depth < 10000
    )
    SELECT id FROM d WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(message.pk)])
        return cursor.fetchone()[0]


# --- Search -------------------------------------------------------------------------------------
_START, _STOP = "\u2402MARK\u2402", "\u2403MARK\u2403"


@dataclass
class SearchHit:
    message_id: str
    conversation_id: str
    conversation_title: str
    role: str
    created_at: datetime
    snippet_html: str  # escaped text with <mark> around the matches
    rank: float


def _safe_snippet(raw: str) -> str:
    return escape(raw).replace(escape(_START), "<mark>").replace(escape(_STOP), "</mark>")


def message_search(*, user, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    query = (query or "").strip()[:200]
    if not query:
        return []
    rows = _search_queryset(user=user, query=query)[:limit]
    return [
        SearchHit(
            message_id=str(r["id"]),
            conversation_id=str(r["conversation_id"]),
            conversation_title=r["conversation__title"],
            role=r["role"],
            created_at=r["created_at"],
            snippet_html=_safe_snippet(r["snippet"]),
            rank=r["rank"],
        )
        for r in rows
    ]


def _search_queryset(*, user, query: str):
    # The configuration(s) the vectors are built with, not the language's: after a change of language
    # the old vectors keep matching until the rebuild is done (see chat.search_index).
    configs = index_configs()
    config = configs[-1]
    q = SearchQuery(query, config=config, search_type="websearch")
    words = "(" + " || ".join(["websearch_to_tsquery(%s::regconfig, %s)"] * len(configs)) + ")"
    params = [p for c in configs for p in (c, query)]
    # The words AND the owner's lexeme (see chat.search_index): the GIN index narrows to this user's matches.
    matches = RawSQL(  # noqa: S611 - only placeholders are interpolated; the values are parameters
        f'numnode({words}) > 0 AND "chat_message"."search_vector" @@ ({words} && %s::tsquery)',
        [*params, *params, owner_tsquery(user.pk)],
        output_field=BooleanField(),
    )
    return (
        Message.objects.filter(
            matches,
            conversation__user=user,
            conversation__deleted_at__isnull=True,
            deleted_at__isnull=True,
        )
        .annotate(
            rank=SearchRank(F("search_vector"), q),
            snippet=SearchHeadline(
                "content",
                q,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .values("id", "conversation_id", "conversation__title", "role", "created_at", "snippet", "rank")
        .order_by("-rank", "-created_at")
    )
