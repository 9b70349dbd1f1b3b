from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector lives in the public schema; tenant schemas see it through the search path."""

    dependencies: list = []
    operations = [VectorExtension()]
