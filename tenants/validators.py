import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")


def validate_subdomain(value: str) -> None:
    """Malformed and reserved subdomains are refused with a message that says why."""
    if not SUBDOMAIN_RE.match(value or ""):
        raise ValidationError(
            _("Use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."),
            code="malformed",
        )
    if "--" in value:
        raise ValidationError(_("Two hyphens in a row are not allowed."), code="malformed")
    if value in settings.RESERVED_SUBDOMAINS or value.startswith("pg") and value[2:3] in ("-", "_"):
        raise ValidationError(_("“%(value)s” is reserved. Please choose another.") % {"value": value}, code="reserved")


def schema_name_for(subdomain: str) -> str:
    return "t_" + subdomain.replace("-", "_")
