"""Preferences offer time zones grouped by region, with the place and its current offset (issue 11 §10)."""

import re

from django_tenants.utils import schema_context

from accounts.models import User


def test_it_groups_time_zones_by_region_with_their_offset(member_client):
    html = member_client.get("/accounts/preferences/").content.decode()
    select = re.search(r'<select name="timezone".*?</select>', html, re.S).group(0)
    assert '<optgroup label="Europe">' in select and '<optgroup label="America">' in select
    assert re.search(r'<option value="Europe/Ljubljana"[^>]*>Ljubljana \(UTC\+0[12]:00\)</option>', select)
    assert re.search(
        r'<option value="America/Argentina/Buenos_Aires"[^>]*>Argentina / Buenos Aires \(UTC−03:00\)', select
    )
    assert re.search(r'<option value="UTC"[^>]*selected>UTC \(UTC\+00:00\)</option>', select)


def test_it_saves_a_time_zone_chosen_from_a_group(member_client, tenant_a, member):
    data = {"name": "Mia", "language": "en", "timezone": "Asia/Tokyo", "email_notifications": "on"}
    assert member_client.post("/accounts/preferences/", data).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=member.pk).timezone == "Asia/Tokyo"
