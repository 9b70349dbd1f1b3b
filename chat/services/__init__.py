"""Writes of the chat app. Views and tasks import from here."""

from .attachments import attachments_from_documents  # noqa: F401
from .conversations import (  # noqa: F401
    conversation_archive,
    conversation_create,
    conversation_delete,
    conversation_rename,
    conversation_restore,
    conversation_star,
)
from .errors import ChatRefused  # noqa: F401
from .generation import generation_recover, generation_run, generation_sweep, message_finalize  # noqa: F401
from .messages import (  # noqa: F401
    branch_switch,
    conversation_start,
    message_edit,
    message_mark_mistake,
    message_rate,
    message_regenerate,
    message_send,
    message_stop,
)
from .moderation import user_suspension, violation_lift  # noqa: F401
from .retention import conversations_archive_inactive, conversations_purge_deleted  # noqa: F401
from .transfer import (  # noqa: F401
    conversation_markdown,
    conversations_export,
    conversations_export_json,
    conversations_import,
    conversations_markdown,
    import_job_create,
    import_job_run,
)
