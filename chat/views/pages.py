"""GET pages: the conversation list, one conversation, older messages, one message, search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import ListForm, MessageForm, SearchForm, documents_exists_sql, needs_documents_check, offered_choices
from ..models import Conversation
from ..search import title_search
from ..services.search import search_index_check


def _sidebar(request, *, filter: str = "active", cursor: str | None = None):
    if cursor is None:  # the first page: its HTML is cached per user (chat.fragments), rows read only to build it
        return selectors.SidebarPage(user=request.user, filter=filter)
    return selectors.conversation_list(user=request.user, filter=filter, cursor=cursor)


def _composer(conversation: Conversation | None, user, *, has_documents: bool | None = None):
    choices = offered_choices(user, has_documents=has_documents)
    initial = {}
    if conversation is not None:
        initial = {k: v for k, v in (conversation.settings or {}).items() if v}
    initial.setdefault("strategy", choices["default_strategy"])
    return {"choices": choices, "initial": initial}


@login_required
@require_GET
def conversation_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        if set(form.errors) - {"filter"}:  # a broken cursor or id: a styled page that says so
            return render(request, "400.html", {"reason": _("This list address is not valid.")}, status=400)
        # an unknown filter (an old or hand-typed link): the active conversations, and a word why
        messages.info(request, _("That list does not exist; here are your active conversations."))
        form = ListForm({k: v for k, v in request.GET.items() if k != "filter"})
        form.is_valid()
    filter_ = form.cleaned_data["filter"] or "active"
    page = _sidebar(request, filter=filter_, cursor=form.cleaned_data["cursor"] or None)
    if request.htmx and form.cleaned_data["cursor"]:
        return render(request, "chat/_conversation_items.html", {"page": page, "filter": filter_})
    deleted = None
    if form.cleaned_data["deleted"]:
        deleted = Conversation.objects.filter(
            pk=form.cleaned_data["deleted"], user=request.user, deleted_at__isnull=False
        ).first()
    return render(
        request,
        "chat/conversation_list.html",
        {"page": page, "filter": filter_, "composer": _composer(None, request.user), "deleted": deleted},
    )


@login_required
@require_GET
def conversation_detail(request, conversation_id):
    before = request.GET.get("before")
    if before:  # infinite scroll upwards: the next older page of the branch
        if not _is_uuid(before):
            raise Http404
        conversation, _ = selectors.conversation_page_get(user=request.user, conversation_id=conversation_id)
        thread = selectors.thread_for(conversation=conversation, before=before)
        return render(request, "chat/_thread.html", {"conversation": conversation, "thread": thread})
    # the row, the composer's documents check (when a documents strategy is on) and the thread's
    # digest in one round trip
    documents = documents_exists_sql(request.user) if needs_documents_check() else None
    conversation, has_documents, thread = selectors.conversation_page_read(
        user=request.user, conversation_id=conversation_id, exists=documents
    )
    focus = request.GET.get("m")
    other_branch = None  # the leaf of a branch shown instead of the saved one (a GET never switches)
    if focus and not any(str(m.pk) == focus for m in thread.messages):
        # A search hit further up this branch, or on another branch: show its branch down to it.
        message = conversation.messages.filter(pk=focus, deleted_at__isnull=True).first() if _is_uuid(focus) else None
        if message is not None:
            whole = selectors.thread_for(conversation=conversation, limit=5000)
            if any(m.pk == message.pk for m in whole.messages):
                thread = whole
            else:
                other_branch = selectors.deepest_leaf(message=message)
                thread = selectors.thread_for(conversation=conversation, leaf=other_branch)
                if not any(m.pk == message.pk for m in thread.messages):
                    thread = selectors.thread_for(conversation=conversation, leaf=other_branch, limit=5000)
    return render(
        request,
        "chat/conversation_detail.html",
        {
            "conversation": conversation,
            "thread": thread,
            "page": _sidebar(request),
            "filter": "archived" if conversation.is_archived else "active",
            "composer": _composer(conversation, request.user, has_documents=has_documents),
            "focus": focus,
            "other_branch": other_branch,
        },
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_GET
def message_detail(request, message_id):
    message = selectors.message_get_for_user(user=request.user, message_id=message_id)
    siblings = selectors.siblings_for(message.conversation, [message])
    return render(
        request, "chat/_message.html", {"m": message, "siblings": siblings, "conversation": message.conversation}
    )


@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        search_index_check()  # after a change of language: a task rebuilds the index (this GET writes nothing)
    hits = selectors.message_search(user=request.user, query=query) if query else []
    titles = title_search(user=request.user, query=query) if query else []
    return render(
        request,
        "chat/search.html",
        {"query": query, "hits": hits, "titles": titles, "page": _sidebar(request), "filter": "active", "form": form},
    )


__all__ = ["conversation_list", "conversation_detail", "message_detail", "search", "MessageForm"]
