"""Google sign-in never hands an account to whoever claimed the address first (issue 8 §1.1).

An account is linked to a Google identity by its Google id, or by an address this workspace
already saw proven. An account that only claims the address (signed up, never confirmed) is
taken over cleanly: its password and other addresses go, and so do the sessions signed in with it.
"""

import uuid

from allauth.account.models import EmailAddress
from django_tenants.utils import schema_context

from accounts.handoff import Identity, make_token
from accounts.models import User

ATTACKER_PASSWORD = "attacker-knows-this-77"


def _open_signup(tenant):
    tenant.settings = {**tenant.settings_data, "signup_policy": "open"}
    tenant.save()


def _google(client, tenant, email, uid):
    token = make_token(
        identity=Identity(email=email, name="Victoria Victim", provider="google", uid=uid),
        schema_name=tenant.schema_name,
    )
    return client.get(f"/accounts/handoff/?token={token}")


def _unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_it_locks_out_an_attacker_who_signed_up_first_with_mandatory_verification(tenant_client, tenant_a, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    _open_signup(tenant_a)
    victim = f"{_unique('victim')}@bigcorp.example"
    attacker = tenant_client(tenant_a)
    signup = attacker.post(
        "/accounts/signup/", {"email": victim, "password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD}
    )
    assert signup.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not EmailAddress.objects.get(email=victim).verified

    owner_of_address = tenant_client(tenant_a)
    response = _google(owner_of_address, tenant_a, victim, _unique("g"))
    assert response.status_code == 302
    assert owner_of_address.get("/chat/").status_code == 200

    # the attacker's password no longer opens the account
    again = tenant_client(tenant_a)
    again.post("/accounts/login/", {"login": victim, "password": ATTACKER_PASSWORD})
    assert "_auth_user_id" not in again.session
    assert again.get("/chat/").status_code == 302
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email=victim)
        assert not user.has_usable_password()
        assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [(victim, True)]


def test_it_ends_the_sessions_of_an_attacker_signed_in_without_verification(tenant_client, tenant_a, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    _open_signup(tenant_a)
    victim = f"{_unique('victim')}@bigcorp.example"
    attacker = tenant_client(tenant_a)
    attacker.post(
        "/accounts/signup/", {"email": victim, "password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD}
    )
    assert attacker.get("/chat/").status_code == 200  # signed in, address never proven
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email=victim)
        EmailAddress.objects.create(user=user, email=f"{_unique('other')}@attacker.example", verified=True)

    assert _google(tenant_client(tenant_a), tenant_a, victim, _unique("g")).status_code == 302

    assert attacker.get("/chat/").status_code == 302  # the attacker's session is over
    with schema_context(tenant_a.schema_name):
        assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [victim]


def test_it_links_an_account_whose_address_is_already_proven_and_keeps_its_password(tenant_client, tenant_a, member):
    from conftest import PASSWORD

    assert _google(tenant_client(tenant_a), tenant_a, "member@a.example", _unique("g")).status_code == 302
    with schema_context(tenant_a.schema_name):
        member.refresh_from_db()
        assert member.check_password(PASSWORD)


def test_it_matches_the_google_account_first(tenant_client, tenant_a, member):
    uid = _unique("g")
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=member.pk).update(google_id=uid)
    client = tenant_client(tenant_a)
    # the Google account's address changed since; it still signs in as the same person
    assert _google(client, tenant_a, f"{_unique('renamed')}@elsewhere.example", uid).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    with schema_context(tenant_a.schema_name):
        assert not EmailAddress.objects.filter(user=member, email__endswith="@elsewhere.example").exists()


def test_it_refuses_an_account_linked_to_another_google_account(tenant_client, tenant_a, member):
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=member.pk).update(google_id=_unique("g-first"))
    client = tenant_client(tenant_a)
    response = _google(client, tenant_a, "member@a.example", _unique("g-second"))
    assert response.status_code == 403
    assert b"linked to another Google account" in response.content
    assert "_auth_user_id" not in client.session
