from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:document_id>/row/", views.document_row, name="document_row"),
    path("<uuid:document_id>/status/", views.document_status, name="document_status"),
    path("<uuid:document_id>/view/", views.document_view, name="document_view"),
    path("<uuid:document_id>/ask/", views.document_ask, name="document_ask"),
    path("<uuid:document_id>/delete/", views.document_delete, name="document_delete"),
    path("<uuid:document_id>/cancel/", views.document_cancel, name="document_cancel"),
    path("<uuid:document_id>/retry/", views.document_retry, name="document_retry"),
]
