"""POST actions. Each: parse with a form, fetch through an access helper (404), call one service, render.

htmx requests get a fragment back; plain form posts are redirected (the pages work without JS).
"""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.responses import quota_refusal
from billing.services import QuotaExceeded

from .. import selectors, services
from ..admission import QuestionLimited
from ..forms import EditForm, MessageForm, MistakeForm, RateForm, RenameForm, ToggleForm
from ..models import Conversation, Message


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _problem(request, text: str, *, status: int = 400, back: str = "/chat/"):
    """A refusal the user must see: an inline alert for htmx, a flash message otherwise."""
    if request.htmx:  # htmx swaps only 2xx responses: the alert goes out as 200, retargeted
        response = render(request, "chat/_alert.html", {"text": text})
        response["X-Chat-Problem"] = str(status)
        response["HX-Retarget"] = "#composer-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    flash.error(request, text)
    return redirect(back)


def _limited(request, exc: QuestionLimited, *, back: str = "/chat/"):
    """429 for a question over a rate limit: the composer's alert for htmx, a page otherwise;
    both say which limit was reached and when to try again (also in Retry-After)."""
    context = {"text": exc.text(), "scope": exc.scope, "retry_after": exc.retry_after, "back": back}
    if request.htmx:
        response = render(request, "chat/_alert.html", context, status=429)
        response["X-Chat-Problem"] = "429"  # static/js/chat.js swaps it into the composer's alert
        response["HX-Retarget"] = "#composer-alert"
        response["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, "chat/rate_limited.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _thread_response(request, conversation: Conversation):
    thread = selectors.thread_for(conversation=conversation)
    return render(request, "chat/_thread.html", {"conversation": conversation, "thread": thread})


def _go(request, url: str) -> HttpResponse:
    """Navigate to ``url``: a full-page redirect for htmx requests, a plain redirect otherwise."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- documents (issue 9): "ask about this document" starts a conversation that draws on it ---
def _conversation_start_with_documents(request, **kwargs):

    from documents.services import documents_link_for_user

    if not request.POST.getlist("documents"):
        return services.conversation_start(**kwargs)
    with transaction.atomic():  # linked before the answer's task is sent (on commit)
        conversation = services.conversation_start(**kwargs)
        documents_link_for_user(user=request.user, conversation_id=conversation.pk,
                                document_ids=request.POST.getlist("documents"))  # fmt: skip
        question = conversation.messages.filter(role="user").order_by("created_at").first()
        if question is not None:  # the scope shows on the first question (a chip per file)
            services.attachments_from_documents(message=question, document_ids=request.POST.getlist("documents"))
    return conversation


# --- end documents ---


@login_required
@require_POST
def conversation_new(request):
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _problem(request, " ".join(e for errs in form.errors.values() for e in errs))
    try:
        conversation = _conversation_start_with_documents(
            request,
            user=request.user,
            content=form.cleaned_data["content"],
            strategy=form.cleaned_data["strategy"],
            model=form.cleaned_data["model"],
        )
    except QuestionLimited as exc:
        return _limited(request, exc)
    except services.ChatRefused as exc:
        return _problem(request, _errors_text(exc), status=403)
    except QuotaExceeded as exc:
        return quota_refusal(request, exc)
    except ValidationError as exc:
        return _problem(request, _errors_text(exc))
    url = reverse("chat:conversation_detail", args=[conversation.pk])
    return _go(request, url)


@login_required
@require_POST
def message_create(request, conversation_id):
    back = reverse("chat:conversation_detail", args=[conversation_id])
    form = MessageForm(request.POST)
    if not form.is_valid():
        selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)  # 404 first
        return _problem(request, " ".join(e for errs in form.errors.values() for e in errs), back=back)
    document_ids = request.POST.getlist("documents")  # files sent with the question (issue 9)
    try:
        # attached before the answer's task is sent (on commit): it passes their images to the model;
        # without files the service's own transaction is enough (no savepoint more on the hot path)
        with transaction.atomic() if document_ids else nullcontext():
            question, answer = services.message_send(
                conversation_id=conversation_id,  # the service checks it is the user's own (one locked read)
                user=request.user,
                content=form.cleaned_data["content"],
                strategy=form.cleaned_data["strategy"],
                model=form.cleaned_data["model"],
            )
            if document_ids:  # none: no query
                services.attachments_from_documents(message=question, document_ids=document_ids)
    except Conversation.DoesNotExist:
        raise Http404 from None
    except QuestionLimited as exc:
        return _limited(request, exc, back=back)
    except services.ChatRefused as exc:
        return _problem(request, _errors_text(exc), status=403, back=back)
    except QuotaExceeded as exc:
        return quota_refusal(request, exc)
    except ValidationError as exc:
        return _problem(request, _errors_text(exc), status=409 if exc.code == "busy" else 400, back=back)
    if not request.htmx:
        return redirect(back)
    conversation = answer.conversation  # the row as the service locked and saved it
    # The question continues the conversation's current leaf, so neither message has siblings yet.
    return render(
        request,
        "chat/_message_pair.html",
        {"conversation": conversation, "messages": [question, answer], "siblings": {}},
    )


def _thread_or_back(request, conversation, back: str):
    """After a branch-changing action: the fresh thread for htmx, otherwise back to the page."""
    if not request.htmx:
        return redirect(back)
    conversation.refresh_from_db()
    return _thread_response(request, conversation)


def _message_action(request, message_id):
    return selectors.message_get_for_user(user=request.user, message_id=message_id)


@login_required
@require_POST
def message_stop(request, message_id):
    message = _message_action(request, message_id)
    services.message_stop(message=message)
    if request.htmx or request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect("chat:conversation_detail", message.conversation_id)


@login_required
@require_POST
def message_regenerate(request, message_id):
    message = _message_action(request, message_id)
    back = reverse("chat:conversation_detail", args=[message.conversation_id])
    try:
        services.message_regenerate(message=message)
    except QuestionLimited as exc:
        return _limited(request, exc, back=back)
    except QuotaExceeded as exc:
        return quota_refusal(request, exc)
    except ValidationError as exc:
        return _problem(request, _errors_text(exc), status=409, back=back)
    return _thread_or_back(request, message.conversation, back)


@login_required
@require_POST
def message_edit(request, message_id):
    message = _message_action(request, message_id)
    back = reverse("chat:conversation_detail", args=[message.conversation_id])
    form = EditForm(request.POST)
    if not form.is_valid():
        return _problem(request, _("Please write a message."), back=back)
    try:
        services.message_edit(message=message, user=request.user, content=form.cleaned_data["content"])
    except QuestionLimited as exc:
        return _limited(request, exc, back=back)
    except services.ChatRefused as exc:
        return _problem(request, _errors_text(exc), status=403, back=back)
    except QuotaExceeded as exc:
        return quota_refusal(request, exc)
    except ValidationError as exc:
        return _problem(request, _errors_text(exc), status=409 if exc.code == "busy" else 400, back=back)
    return _thread_or_back(request, message.conversation, back)


@login_required
@require_POST
def message_switch(request, message_id):
    message = _message_action(request, message_id)
    conversation = services.branch_switch(message=message)
    if not request.htmx:
        return redirect("chat:conversation_detail", conversation.pk)
    return _thread_response(request, conversation)


def _message_fragment(request, message: Message):
    if not request.htmx:
        return redirect("chat:conversation_detail", message.conversation_id)
    siblings = selectors.siblings_for(message.conversation, [message])
    return render(
        request, "chat/_message.html", {"m": message, "siblings": siblings, "conversation": message.conversation}
    )


@login_required
@require_POST
def message_rate(request, message_id):
    message = _message_action(request, message_id)
    form = RateForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    rating = form.cleaned_data["rating"] or None
    if rating is not None and message.rating == rating:  # clicking the same thumb again clears it
        rating = None
    try:
        services.message_rate(message=message, rating=rating)
    except ValidationError:
        return HttpResponseBadRequest()
    return _message_fragment(request, message)


@login_required
@require_POST
def message_mistake(request, message_id):
    message = _message_action(request, message_id)
    form = MistakeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    try:
        services.message_mark_mistake(
            message=message, is_mistake=form.cleaned_data["is_mistake"], note=form.cleaned_data["note"]
        )
    except ValidationError:
        return HttpResponseBadRequest()
    return _message_fragment(request, message)


# --- Conversation actions -----------------------------------------------------------------------
def _conversation_action(request, conversation_id, *, include_deleted: bool = False) -> Conversation:
    return selectors.conversation_get_for_user(
        user=request.user, conversation_id=conversation_id, include_deleted=include_deleted
    )


def _back_to(request, conversation: Conversation):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("chat:conversation_detail", conversation.pk)


@login_required
@require_POST
def conversation_rename(request, conversation_id):
    conversation = _conversation_action(request, conversation_id)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _problem(
            request, _("Please enter a title."), back=reverse("chat:conversation_detail", args=[conversation.pk])
        )
    services.conversation_rename(conversation=conversation, title=form.cleaned_data["title"])
    return _back_to(request, conversation)


@login_required
@require_POST
def conversation_star(request, conversation_id):
    conversation = _conversation_action(request, conversation_id)
    form = ToggleForm(request.POST)
    form.is_valid()
    services.conversation_star(conversation=conversation, starred=form.cleaned_data.get("on", False))
    return _back_to(request, conversation)


@login_required
@require_POST
def conversation_archive(request, conversation_id):
    conversation = _conversation_action(request, conversation_id)
    form = ToggleForm(request.POST)
    form.is_valid()
    archived = form.cleaned_data.get("on", False)
    services.conversation_archive(conversation=conversation, archived=archived)
    if archived:
        flash.success(request, _("Conversation archived."))
    return _back_to(request, conversation)


@login_required
@require_POST
def conversation_delete(request, conversation_id):
    conversation = _conversation_action(request, conversation_id)
    services.conversation_delete(conversation=conversation)
    url = reverse("chat:conversation_list") + f"?deleted={conversation.pk}"
    return _go(request, url)


@login_required
@require_POST
def conversation_restore(request, conversation_id):
    conversation = _conversation_action(request, conversation_id, include_deleted=True)
    services.conversation_restore(conversation=conversation)
    return redirect("chat:conversation_detail", conversation.pk)
