from django import forms
from django.utils.translation import gettext_lazy as _


class DeleteAccountForm(forms.Form):
    """Re-authentication before an account's deletion is scheduled: the password, or (an account
    with no password, signed in through Google) the e-mail address typed out."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False, required=False)
    email = forms.EmailField(label=_("Type your e-mail address to confirm"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["email"].required = True

    def clean(self):
        data = super().clean()
        if "password" in self.fields and not self.user.check_password(data.get("password") or ""):
            raise forms.ValidationError(_("The password is not right."))
        if "email" in self.fields and (data.get("email") or "").strip().lower() != self.user.email:
            raise forms.ValidationError(_("That is not your e-mail address."))
        return data
