"""A completed message is immutable: its HTML is rendered once per language and kept in the cache.

The conversation page spent most of its time rendering 50 messages through ``chat/_message.html``
(~25 ms of template work per page, docs/PERFORMANCE.md). A final message (complete, stopped,
error) changes only through a save that moves its ``updated_at`` (rating, mistake flag, the
moderation flag), so a fragment keyed by the message's id, its ``updated_at``, the language, the
templates' own version and, for a question, its files' document status is never stale; an open
message (pending, streaming) is always rendered. What differs per request or per page is left as
a slot in the cached HTML and filled in each time: the CSRF token of the forms, the author's
initial, and the versions nav (‹ 2/3 ›), which changes when a sibling is added without touching
this message. All fragments of a page are read in one round trip (``get_many``) and the missing
ones written in one (``set_many``).
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from core.process_lru import ProcessLRU
from core.versioned_cache import TokenPerKey

VERSION = 1  # bump when what the fragment shows changes outside the files hashed below
TTL = 7 * 24 * 3600  # seconds; unused fragments age out
_CSRF = "\x1fchat-csrf\x1f"
_AVATAR = mark_safe("\x1fchat-avatar\x1f")  # noqa: S308 - a constant marker, replaced before output
_SIBLINGS = mark_safe("<!--\x1fchat-siblings\x1f-->")  # noqa: S308 - a constant marker, as above
_TEMPLATES = ("chat/_message.html", "chat/_siblings.html", "chat/_conversation_items.html", "chat/_attachments.html")


@lru_cache(maxsize=1)
def template_version() -> str:
    """Changes with the message templates and the tags they use, so a deploy never serves old markup."""
    digest = hashlib.sha1(str(VERSION).encode(), usedforsecurity=False)
    for name in _TEMPLATES:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    digest.update(Path(__file__).with_name("templatetags").joinpath("chat_tags.py").read_bytes())
    return digest.hexdigest()[:10]


_UNKNOWN = object()


def fragment_key(message, language: str) -> str | None:
    """Tenant-scoped by django_tenants.cache.make_key (the cache's KEY_FUNCTION).

    A question shows its files' document status, which changes without the message (documents
    processes, fails or deletes them): its key holds ``attachment_state`` (selectors._THREAD_SQL).
    A question read without that column has no key and is rendered every time."""
    stamp = message.updated_at.isoformat() if message.updated_at else ""
    files = ""
    if message.role == "user":
        state = getattr(message, "attachment_state", _UNKNOWN)
        if state is _UNKNOWN:
            return None
        files = hashlib.sha1((state or "").encode(), usedforsecurity=False).hexdigest()[:12] if state else ""
    return f"chat:msg:{template_version()}:{message.pk}:{stamp}:{language}:{files}"


def _complete_rows(messages, pks: list) -> list:
    """``messages`` with those that must be rendered (``pks``) read whole in one query, if read in part."""
    from .models import Message

    wanted = set(pks)
    partial = [m.pk for m in messages if m.pk in wanted and m.get_deferred_fields()]
    if not partial:
        return messages
    whole = Message.objects.defer("search_vector", "context_documents").in_bulk(partial)
    return [whole.get(m.pk, m) for m in messages]


def _attachments_of(questions: list) -> None:
    """The files of the questions about to be rendered (chat/_attachments.html), in one query."""
    if not questions:
        return
    from django.db.models import Prefetch, prefetch_related_objects

    from .models import Attachment

    prefetch_related_objects(questions, Prefetch("attachments", queryset=Attachment.objects.select_related("document")))


def thread_key(digest: str | None, language: str) -> str | None:
    """The key of a whole thread's HTML when every message in it is final (else None).

    ``digest`` (``chat.selectors.Thread.digest``) hashes, in order, each message's id, role,
    status and ``updated_at``, its files' status and its siblings, so any change to one of them, a
    new message, an edit, a regeneration or a branch switch is another key; the key adds the
    language and the templates' version, as a message's own fragment key does."""
    return f"chat:thread:{template_version()}:{language}:{digest}" if digest else None


# A whole thread's HTML as this process last read it, cut at its slots: its key names its content
# (the digest of every row it shows), so it is never stale, and a revisit reads it without a round
# trip to Redis or a pass over ~170 KB per slot (docs/PERFORMANCE.md, session 9). ~100 threads.
_threads = ProcessLRU(max_bytes=16 * 1024 * 1024, size_of=lambda parts: sum(len(p) for p in parts))
_SLOT = re.compile(f"({re.escape(_CSRF)}|{re.escape(str(_AVATAR))})")


def _whole_thread(key: str) -> list[str] | None:
    """The thread's HTML split at its slots (odd items are the slots), or None when not cached."""
    parts = _threads.get(key)
    if parts is None:
        html = cache.get(key)
        if html is None:
            return None
        parts = _SLOT.split(html)
        _threads.put(key, parts)
    return parts


def _filled(parts: list[str], csrf: str, avatar: str) -> str:
    out = parts[:]
    for i in range(1, len(out), 2):
        out[i] = csrf if out[i] == _CSRF else avatar
    return "".join(out)


def render_messages(*, thread, labels: dict, user, request) -> list[SafeString]:
    """The HTML of each message of ``thread`` (as chat/_message.html renders it), completed ones from the cache.

    A thread whose messages are all final is also kept whole (``thread_key``): a revisit reads one
    cache entry instead of one per message, returns it as one piece and never reads the messages."""
    language = translation.get_language() or ""
    csrf = get_token(request) if request is not None else ""
    avatar = ((user.get_short_name() if getattr(user, "is_authenticated", False) else "") or "")[:1].upper()
    whole = thread_key(thread.digest, language)
    if whole is not None:
        parts = _whole_thread(whole)
        if parts is not None:
            return [mark_safe(_filled(parts, csrf, avatar))]  # noqa: S308 - template output
    messages, siblings = thread.messages, thread.siblings
    message_template = get_template("chat/_message.html")
    siblings_template = get_template("chat/_siblings.html")
    keys = {m.pk: key for m in messages if not m.is_open and (key := fragment_key(m, language))}
    if len(keys) != len(messages):  # an open message, or a question read without its files' status
        whole = None
    cached = cache.get_many(list(keys.values())) if keys else {}
    messages = _complete_rows(messages, [m.pk for m in messages if m.pk not in keys or keys[m.pk] not in cached])
    _attachments_of([m for m in messages if m.role == "user" and (m.pk not in keys or keys[m.pk] not in cached)])
    fresh: dict[str, str] = {}
    slotted: list[str] = []  # what goes into the whole thread's entry: CSRF and avatar still slots
    out: list[SafeString] = []
    for m in messages:
        if m.pk not in keys:  # still being written: rendered every time
            context = {"m": m, "siblings": siblings, "L": labels, "user": user, "csrf_token": csrf}
            out.append(mark_safe(message_template.render(context)))  # noqa: S308 - template output
            continue
        html = cached.get(keys[m.pk])
        if html is None:
            context = {
                "m": m,
                "siblings": {},
                "L": labels,
                "csrf_token": _CSRF,
                "avatar_slot": _AVATAR,
                "sibling_slot": _SIBLINGS,
            }
            html = fresh[keys[m.pk]] = message_template.render(context)
        sib = siblings.get(m.pk)
        nav = siblings_template.render({"sib": sib, "L": labels}) if sib else ""
        html = html.replace(_SIBLINGS, nav)
        slotted.append(html)
        out.append(mark_safe(html.replace(_CSRF, csrf).replace(_AVATAR, avatar)))  # noqa: S308 - as above
    if whole is not None:
        fresh[whole] = "".join(slotted)
    if fresh:
        cache.set_many(fresh, TTL)
    return out


def render_conversation_items(*, context: dict) -> SafeString:
    """The sidebar's conversation list (chat/_conversation_items.html), cached for what it shows.

    The key holds every shown value of every row, the current conversation, the language, the time
    zone and the minute ("5 minutes ago" moves on), so a new message or a rename shows at once."""
    page, conversation = context.get("page"), context.get("conversation")
    if page is None:
        return mark_safe("")
    if getattr(page, "versioned", False) and not context.get("cursor_page"):
        return mark_safe(_sidebar_versioned(page, conversation, str(context.get("filter") or "")))  # noqa: S308 - template output
    rows = "\n".join(
        f"{c.pk}|{c.title}|{c.is_starred}|{c.last_message_at.isoformat()}|{c.last_message_preview}" for c in page.items
    )
    parts = [
        template_version(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        str(int(time.time() // 60)),
        str(getattr(conversation, "pk", "")),
        str(context.get("filter") or ""),
        str(page.next_cursor or ""),
        str(bool(context.get("cursor_page"))),
        rows,
    ]
    key = "chat:convs:" + hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
    html = cache.get(key)
    if html is None:
        html = get_template("chat/_conversation_items.html").render(
            {
                "page": page,
                "conversation": conversation,
                "filter": context.get("filter"),
                "cursor_page": context.get("cursor_page"),
            }
        )
        cache.set(key, html, 120)
    return mark_safe(html)  # noqa: S308 - template output


# --- The sidebar's list, keyed by a token per user ---------------------------------------------
# The conversation services bump the owner's token on commit whenever something the list shows
# changes (sidebar_changed); writes over many users at once (retention, the admin) bump ``ALL``.
# A revisit reads the user's token, the tenant-wide one and the entry in one MGET and runs no query.
SIDEBAR = TokenPerKey("chat:sidebar")
ALL = "*"
SIDEBAR_TTL = 120  # seconds; the entry is also only good for the minute it was built in ("5 minutes ago")
_CURRENT = {  # slots for the current conversation's highlight, filled per page
    "cls": mark_safe("\x1fcls:"),  # noqa: S308 - constant markers, replaced before output
    "aria": mark_safe("\x1faria:"),  # noqa: S308
    "end": mark_safe("\x1f"),  # noqa: S308
}
_CURRENT_LEFT = re.compile("\x1f(?:cls|aria):[0-9a-f-]*\x1f")


def sidebar_changed(*, user_id=None) -> None:
    """What the sidebar of ``user_id`` (every user's when None) shows changed: rebuilt from the commit on.

    Called by every service that writes a conversation's title, star, archive or delete state, last
    message time or preview, or creates one (chat/tests/test_the_sidebar_shows_every_change_at_once.py)."""
    SIDEBAR.bump(ALL if user_id is None else user_id)


def _fill_current(html: str, conversation) -> str:
    pk = getattr(conversation, "pk", None)
    if pk is not None:
        html = html.replace(f"\x1fcls:{pk}\x1f", " is-current").replace(f"\x1faria:{pk}\x1f", ' aria-current="page"')
    return _CURRENT_LEFT.sub("", html)


def _sidebar_versioned(page, conversation, filter_: str) -> str:
    """The first page of ``page.user``'s list from the cache when neither token moved in this minute.

    ``filter_`` is the page's (the links and the empty text), ``page.filter`` the rows'."""
    user_id = page.user.pk
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    entry_key = f"chat:sidebar:{template_version()}:{user_id}:{page.filter}:{filter_}:{language}:{zone}"
    keys = [SIDEBAR.key(user_id), SIDEBAR.key(ALL), entry_key]
    fresh_here = SIDEBAR.changed_here(user_id) or SIDEBAR.changed_here(ALL)
    try:
        got = {} if fresh_here else cache.get_many(keys)
    except Exception:  # noqa: BLE001 - no cache server: build it
        got = None
    minute = int(time.time() // 60)
    if got is not None and not fresh_here:
        mine = got.get(keys[0]) or SIDEBAR.create(user_id)
        everyone = got.get(keys[1]) or SIDEBAR.create(ALL)
        entry = got.get(entry_key)
        if entry is not None and entry[:3] == (mine, everyone, minute):
            return _fill_current(entry[3], conversation)
    html = get_template("chat/_conversation_items.html").render(
        {"page": page, "conversation": None, "filter": filter_, "slot": _CURRENT}
    )
    if got is not None and not fresh_here and mine and everyone:
        cache.set(entry_key, (mine, everyone, minute, html), SIDEBAR_TTL)
    return _fill_current(html, conversation)
