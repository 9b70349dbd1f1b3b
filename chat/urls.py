from django.urls import path

from .streaming import sse
from .views import actions, files, pages, transfer

app_name = "chat"
urlpatterns = [
    path("", pages.conversation_list, name="conversation_list"),
    path("new/", actions.conversation_new, name="conversation_new"),
    path("search/", pages.search, name="search"),
    path("export/", transfer.export_all, name="export_all"),
    path("import/", transfer.conversation_import, name="import"),
    path("import/<uuid:job_id>/", transfer.import_job, name="import_job"),
    path("<uuid:conversation_id>/", pages.conversation_detail, name="conversation_detail"),
    path("<uuid:conversation_id>/messages/", actions.message_create, name="message_create"),
    path("<uuid:conversation_id>/rename/", actions.conversation_rename, name="conversation_rename"),
    path("<uuid:conversation_id>/star/", actions.conversation_star, name="conversation_star"),
    path("<uuid:conversation_id>/archive/", actions.conversation_archive, name="conversation_archive"),
    path("<uuid:conversation_id>/delete/", actions.conversation_delete, name="conversation_delete"),
    path("<uuid:conversation_id>/restore/", actions.conversation_restore, name="conversation_restore"),
    path("<uuid:conversation_id>/export/", transfer.conversation_export, name="conversation_export"),
    # documents (issue 9): files chosen in the composer
    path("files/", files.files_new, name="files_new"),
    path("<uuid:conversation_id>/files/", files.conversation_files, name="conversation_files"),
    path(
        "<uuid:conversation_id>/files/<uuid:document_id>/remove/",
        files.conversation_file_remove,
        name="conversation_file_remove",
    ),  # fmt: skip
    path("attachments/<uuid:attachment_id>/", files.attachment_file, name="attachment_file"),
    path("m/<uuid:message_id>/", pages.message_detail, name="message_detail"),
    path("m/<uuid:message_id>/stream/", sse.message_stream, name="message_stream"),
    path("m/<uuid:message_id>/stop/", actions.message_stop, name="message_stop"),
    path("m/<uuid:message_id>/regenerate/", actions.message_regenerate, name="message_regenerate"),
    path("m/<uuid:message_id>/edit/", actions.message_edit, name="message_edit"),
    path("m/<uuid:message_id>/switch/", actions.message_switch, name="message_switch"),
    path("m/<uuid:message_id>/rate/", actions.message_rate, name="message_rate"),
    path("m/<uuid:message_id>/mistake/", actions.message_mistake, name="message_mistake"),
]
