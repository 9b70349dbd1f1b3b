from django.core.exceptions import ValidationError


class ChatRefused(ValidationError):
    """The message was not accepted (suspension, moderation); the text is shown to the user."""
