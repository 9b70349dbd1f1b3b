from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_page, name="page"),
    path("checkout/", views.checkout, name="checkout"),
    path("portal/", views.portal, name="portal"),
    path("usage.csv", views.usage_csv, name="usage_csv"),
    path("tiers/", views.tier_create, name="tier_create"),
    path("tiers/assign/", views.tier_assign, name="tier_assign"),
    path("tiers/<uuid:tier_id>/delete/", views.tier_delete, name="tier_delete"),
]
