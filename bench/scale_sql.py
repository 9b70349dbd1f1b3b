"""Run SQL on the scale cluster (.data/scale) and print the rows: bench/scale_sql.py "SELECT ..." """

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_POOL_MAX", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

with connection.cursor() as cursor:
    for statement in sys.argv[1:]:
        cursor.execute(statement)
        if cursor.description:
            for row in cursor.fetchall():
                print(" | ".join(str(v) for v in row))
