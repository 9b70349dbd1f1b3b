"""A ``free`` plan always exists (a new workspace starts on it); paid defaults operators may edit."""

from django.db import migrations

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "description": "For trying Chorus out.",
        "price_cents": 0,
        "question_limit": 100,
        "token_limit_daily": 50_000,
        "document_limit": 20,
        "session_limit": 2,
        "max_users": 3,
        "features": {"document_upload": True, "multi_model": False, "export": True},
        "sort_order": 0,
    },
    {
        "code": "pro",
        "name": "Pro",
        "description": "For teams that ask every day.",
        "price_cents": 2900,
        "question_limit": 2_000,
        "token_limit_daily": 1_000_000,
        "document_limit": 500,
        "session_limit": 10,
        "max_users": 25,
        "features": {"document_upload": True, "multi_model": True, "export": True},
        "trial_days": 14,
        "overage_price_cents": 2,
        "sort_order": 10,
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "description": "Unlimited questions and documents.",
        "price_cents": 19900,
        "question_limit": None,
        "token_limit_daily": None,
        "document_limit": None,
        "session_limit": None,
        "max_users": None,
        "features": {"document_upload": True, "multi_model": True, "export": True},
        "sort_order": 20,
    },
]


def create(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for spec in PLANS:
        code = spec["code"]
        Plan.objects.get_or_create(code=code, defaults={k: v for k, v in spec.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
