from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.export_start, name="privacy_export_start"),
    path("export/<uuid:export_id>/status/", views.export_status, name="privacy_export_status"),
    path("export/download/<str:token>/", views.export_download, name="privacy_export_download"),
    path("delete/", views.account_delete, name="privacy_account_delete"),
    path("delete/cancel/", views.account_delete_cancel, name="privacy_account_delete_cancel"),
]
