import zoneinfo

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import User

TIMEZONES = sorted(zoneinfo.available_timezones())
# The regions a time zone list is grouped by (the first part of its IANA name); other names
# (``UTC``, ``Etc/GMT+5``, old aliases such as ``US/Eastern``) go under "Other".
REGIONS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific"),
}


def _offset(zone: str, now) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def timezone_choices(now=None) -> list:
    """Time zones grouped by region, each labelled with its place and current offset
    ("Ljubljana (UTC+01:00)"); a select with optgroups, which browsers search by typing."""
    from django.utils import timezone as dj_timezone

    now = now or dj_timezone.now()
    groups: dict[str, list] = {region: [] for region in (*REGIONS, "Other")}
    for zone in TIMEZONES:
        region, _sep, place = zone.partition("/")
        if region in REGIONS and place:
            groups[region].append((zone, f"{place.replace('_', ' ').replace('/', ' / ')} ({_offset(zone, now)})"))
        else:
            groups["Other"].append((zone, f"{zone} ({_offset(zone, now)})"))
    labels = {**REGIONS, "Other": _("Other")}
    return [(str(labels[region]), zones) for region, zones in groups.items() if zones]


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "timezone", "email_notifications", "marketing_emails"]


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form in the product's wording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail")
        self.fields["login"].widget.attrs["placeholder"] = _("you@example.com")
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in")


class _EmailWording:
    """The e-mail field of allauth's forms in the product's wording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")
        self.fields["email"].widget.attrs["placeholder"] = _("you@example.com")


class AddEmailForm(_EmailWording, AllauthAddEmailForm):
    pass


class ResetPasswordForm(_EmailWording, AllauthResetPasswordForm):
    pass


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, plus the workspace's policy (invitation, allowed domains).

    The policy lives here and not in the account adapter's ``clean_email``, which allauth also
    uses for password reset and adding addresses, where it must not apply.

    It also asks for the display name the workspace greets with, and carries the invitation
    whose link was opened in this session (``form.invitation``), which the page describes."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Your name")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"name": self.fields.pop("name"), **self.fields}
        self.fields["email"].label = _("E-mail")
        self.fields["email"].widget.attrs["placeholder"] = _("you@example.com")
        self.fields["password1"].label = _("Password")
        if "password2" in self.fields:
            self.fields["password2"].label = _("Password (again)")
        request = context.request
        self.invitation = policy.current_invitation(request) if request is not None else None

    def clean_email(self):
        email = super().clean_email()
        request = context.request  # allauth keeps the current request here
        if request is not None and not policy.email_allowed(request, email):
            raise forms.ValidationError(_("This workspace does not accept sign-ups from this e-mail address."))
        return email

    def save(self, request):
        """Sign up; a person who came through an invitation link gets the invited role. The link
        proved the address (allauth's verified-e-mail stash, see ``accounts.views.invitation_open``),
        and ``invitation_accept`` refuses an address that is not proven."""
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied

        from .services import invitation_accept

        user = super().save(request)
        invitation = policy.current_invitation(request)
        if invitation is not None:
            try:
                invitation_accept(invitation=invitation, user=user)
            except PermissionDenied as exc:
                messages.warning(request, str(exc))
            request.session.pop(policy.SESSION_INVITATION, None)
        return user
