"""OpenAI, Anthropic and Perplexity are always called at their own endpoints (or the operator's,
from the environment): a base URL a workspace stored on such a credential is no longer used, and
would keep the admin from saving the credential, so it is cleared."""

from django.db import migrations

VENDORS = ["openai", "anthropic", "perplexity"]


def forwards(apps, schema_editor):
    apps.get_model("orchestration", "ProviderCredential").objects.filter(provider__in=VENDORS).exclude(
        base_url=""
    ).update(base_url="")


class Migration(migrations.Migration):
    dependencies = [
        ("orchestration", "0002_anthropic_default_model"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
