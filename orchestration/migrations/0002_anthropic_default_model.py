"""The Anthropic default of seed 000 (claude-3-5-sonnet-20241022) is retired by Anthropic: calls to
it fail. Workspaces that still have it (never changed by their admins) move to the new default."""

from django.db import migrations, models

RETIRED = "claude-3-5-sonnet-20241022"
CURRENT = "claude-sonnet-4-6"


def forwards(apps, schema_editor):
    apps.get_model("orchestration", "OrchestrationSettings").objects.filter(anthropic_model=RETIRED).update(
        anthropic_model=CURRENT
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orchestration", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="orchestrationsettings",
            name="anthropic_model",
            field=models.CharField(default=CURRENT, max_length=200, verbose_name="Anthropic model"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
