import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

TIMEZONES = sorted(zoneinfo.available_timezones())


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("time zone"), choices=[(z, z) for z in TIMEZONES])

    class Meta:
        model = User
        fields = ["name", "language", "timezone", "email_notifications", "marketing_emails"]
