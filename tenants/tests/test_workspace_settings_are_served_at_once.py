"""A tenant admin's new branding (workspace settings in the admin) is served on the next page, by every process."""

from tenants.models import Tenant

FORM = {
    "name": "Tenant A",
    "app_name": "Brand New Brain",
    "logo_url": "",
    "primary_color": "#123456",
    "accent_color": "#654321",
    "signup_policy": "invite",
    "allowed_email_domains": "",
    "default_language": "en",
    "company_name": "",
    "terms_url": "",
    "privacy_url": "",
    "imprint_url": "",
}


def test_it_serves_the_new_branding_right_after_the_save(
    owner_client, tenant_client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    assert "Brand New Brain" not in owner_client.get("/chat/").content.decode()  # tenant A now memoised
    b_before = Tenant.objects.get(pk=tenant_b.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/admin/tenants/workspace/{tenant_a.pk}/change/", FORM)
    assert response.status_code == 302, response.content[:2000]
    body = owner_client.get("/chat/").content.decode()
    assert "Brand New Brain" in body and "--primary:#123456" in body
    b_after = Tenant.objects.get(pk=tenant_b.pk)
    assert (b_after.name, b_after.branding, b_after.settings) == (b_before.name, b_before.branding, b_before.settings)
    assert "Brand New Brain" not in tenant_client(tenant_b).get("/accounts/login/").content.decode()
