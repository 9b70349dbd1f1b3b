from django import forms
from django.utils.translation import gettext_lazy as _


class WorkspaceSignupForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=255)
    subdomain = forms.CharField(
        label=_("Address"),
        max_length=63,
        help_text=_("Lowercase letters, digits and hyphens."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    owner_name = forms.CharField(
        label=_("Your name"),
        max_length=255,
        required=False,
        help_text=_("How the workspace greets you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    owner_email = forms.EmailField(label=_("Your e-mail"))
    owner_password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_subdomain(self):
        return self.cleaned_data["subdomain"].strip().lower()


class WorkspaceSettingsForm(forms.ModelForm):
    """Branding, sign-up policy and legal links as plain fields, stored in the JSON columns."""

    app_name = forms.CharField(label=_("App name"), max_length=60, required=False)
    logo_url = forms.URLField(label=_("Logo URL"), required=False, assume_scheme="https")
    primary_color = forms.RegexField(
        label=_("Primary colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_color = forms.RegexField(
        label=_("Accent colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=forms.TextInput(attrs={"type": "color"})
    )
    signup_policy = forms.ChoiceField(
        label=_("Who may sign up"),
        choices=[
            ("invite", _("Only invited people")),
            ("domains", _("Anyone with an e-mail address at the domains below")),
            ("open", _("Anyone")),
        ],
    )
    allowed_email_domains = forms.CharField(
        label=_("Allowed e-mail domains"), required=False, help_text=_("Comma-separated, e.g. example.com, example.org")
    )
    default_language = forms.ChoiceField(
        label=_("Default language"), choices=[("en", _("English")), ("sl", _("Slovenian"))]
    )
    company_name = forms.CharField(label=_("Company name"), required=False, max_length=200)
    terms_url = forms.URLField(label=_("Terms of service URL"), required=False, assume_scheme="https")
    privacy_url = forms.URLField(label=_("Privacy policy URL"), required=False, assume_scheme="https")
    imprint_url = forms.URLField(label=_("Imprint URL"), required=False, assume_scheme="https")

    BRANDING = ("app_name", "logo_url", "primary_color", "accent_color")
    SETTINGS = ("signup_policy", "allowed_email_domains", "default_language")
    LEGAL = ("company_name", "terms_url", "privacy_url", "imprint_url")

    class Meta:
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tenant = self.instance
        for key, value in {**tenant.branding_data, **tenant.settings_data, **(tenant.legal or {})}.items():
            if key in self.fields:
                self.initial[key] = ", ".join(value) if isinstance(value, list) else value

    def clean_allowed_email_domains(self):
        raw = self.cleaned_data.get("allowed_email_domains") or ""
        domains = [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]
        for d in domains:
            if "." not in d or " " in d:
                raise forms.ValidationError(_("“%(domain)s” is not a domain name.") % {"domain": d})
        return domains

    def clean(self):
        data = super().clean()
        if data.get("signup_policy") == "domains" and not data.get("allowed_email_domains"):
            self.add_error("allowed_email_domains", _("Name at least one domain for this policy."))
        return data

    def save(self, commit=True):
        tenant = self.instance
        data = self.cleaned_data
        tenant.branding = {
            **tenant.branding_data,
            **{k: data[k] or None if k == "logo_url" else data[k] for k in self.BRANDING},
        }
        tenant.settings = {**tenant.settings_data, **{k: data[k] for k in self.SETTINGS}}
        tenant.legal = {
            **(tenant.legal or {}),
            **{k: data[k] or None if k.endswith("_url") else data[k] for k in self.LEGAL},
        }
        return super().save(commit)
