from django import forms
from django.utils.translation import gettext_lazy as _


class CheckoutForm(forms.Form):
    plan = forms.SlugField(max_length=50)


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    monthly_questions = forms.IntegerField(label=_("Questions per month"), min_value=0, required=False)
    monthly_tokens = forms.IntegerField(label=_("Tokens per month"), min_value=0, required=False)
    is_default = forms.BooleanField(label=_("Default for everyone without a tier"), required=False)


class TierAssignForm(forms.Form):
    user = forms.UUIDField()
    tier = forms.UUIDField(required=False)
