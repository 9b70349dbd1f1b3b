from django import template

from documents import validation
from documents.models import Document

register = template.Library()


@register.simple_tag(takes_context=True)
def composer_files(context) -> dict:
    """What the chat composer needs for files: accepted types, and the library document the user
    asked about ("ask about this document": ?document=<id> on the new-chat page)."""
    request = context.get("request")
    asked = None
    wanted = request.GET.get("document") if request is not None else None
    if wanted and request.user.is_authenticated:
        try:
            asked = (
                Document.objects.filter(pk=wanted, owner=request.user, status=Document.Status.READY)
                .exclude(scope=Document.Scope.KNOWLEDGE_BASE)
                .only("id", "original_filename")
                .first()
            )
        except (ValueError, TypeError, Exception):  # noqa: BLE001 - a malformed id is simply ignored
            asked = None
    return {"accept": validation.accepted_extensions(), "asked": asked}
