from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from billing.admin_usage import RecordsAdminActions
from core.admin import AuditedAdmin, NoSecretLookups, TenantModelAdmin, _on_public_host

from .models import Invitation, User
from .services import invitation_create, user_change_role, user_set_active


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["email", "name", "role", "language"]

    def clean_password1(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password1"]
        validate_password(password)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedAdmin, RecordsAdminActions, NoSecretLookups, BaseUserAdmin):
    """Tenant admins manage their workspace's people; operators manage operators."""

    secret_lookup_fields = frozenset({"password", "google_id", "socialaccount", "emailaddress", "logentry"})

    add_form = UserCreationForm
    list_display = ["email", "name", "role", "is_active", "language", "last_login", "created_at"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "created_at", "updated_at", "google_id"]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        (_("Role"), {"fields": ("role", "is_active")}),
        (_("Preferences"), {"fields": ("language", "timezone", "email_notifications", "marketing_emails")}),
        (_("Dates"), {"fields": ("last_login", "created_at", "updated_at", "google_id")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "role", "language", "password1")}),)
    filter_horizontal: tuple = ()

    def _allowed(self, request) -> bool:
        user = request.user
        if _on_public_host(request):
            return user.is_active and user.is_superuser
        return user.is_active and user.is_tenant_admin

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role == User.Role.OWNER and request.user.role != User.Role.OWNER:
            return request.user.is_superuser
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.pk == request.user.pk or obj.role == User.Role.OWNER):
            return False
        return self._allowed(request)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            initial.setdefault("language", tenant.settings_data["default_language"])
        return initial

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser and _on_public_host(request):
            fieldsets = (*fieldsets, (_("Operator"), {"fields": ("is_superuser",)}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            # The last-owner rule applies to deactivation as it does to the role (issue 8 §1.7).
            new_active = obj.is_active
            obj.is_active = form.initial["is_active"]
            try:
                user_set_active(actor=request.user, user=obj, active=new_active)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return
        if change and "role" in form.changed_data:
            new_role = obj.role
            obj.role = form.initial["role"]
            try:
                user_change_role(actor=request.user, user=obj, role=new_role)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return
        elif not change and obj.role == User.Role.OWNER and request.user.role != User.Role.OWNER:
            obj.role = User.Role.MEMBER
            messages.warning(request, _("Only an owner can create owners; the user was created as a member."))
        super().save_model(request, obj, form, change)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role", "expires_at"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("This person is already a member of the workspace."))
        return email


@admin.register(Invitation)
class InvitationAdmin(RecordsAdminActions, NoSecretLookups, TenantModelAdmin):
    secret_lookup_fields = frozenset({"token", "token_hash"})
    form = InvitationForm
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "replaced_at"]
    readonly_fields = ["invited_by", "created_at", "accepted_at", "replaced_at"]
    fields = ["email", "role", "expires_at", "invited_by", "created_at", "accepted_at", "replaced_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The admin's own "was added successfully" is left out (message_user): this method says what
        # happened, once, whether the invitation went out or was refused.
        request._chorus_invitation_reported = True
        try:
            invitation = invitation_create(actor=request.user, email=obj.email, role=obj.role, request=request)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return
        obj.pk = invitation.pk
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_chorus_invitation_reported", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)


def _restrict_allauth_admins() -> None:
    """allauth's own admins (operators only) get the same rule for their secret fields."""
    from allauth.socialaccount import admin as social_admin  # registers them now, before we wrap them
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    for model, base, fields in (
        (SocialApp, social_admin.SocialAppAdmin, {"secret", "key", "client_id", "settings"}),
        (SocialToken, social_admin.SocialTokenAdmin, {"token", "token_secret"}),
        (SocialAccount, social_admin.SocialAccountAdmin, {"extra_data", "socialtoken"}),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        restricted = type(
            base.__name__, (NoSecretLookups, base), {"secret_lookup_fields": frozenset(fields), "__module__": __name__}
        )
        admin.site.register(model, restricted)


_restrict_allauth_admins()
