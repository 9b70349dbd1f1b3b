"""Sample what the scale cluster's provisioning sessions are doing: bench/scale_waits.py [samples]

Prints, over N samples 0.5 s apart, how often each active clone_schema session was running vs
waiting for a lock (two provisioning processes: did their clones run side by side?)."""

import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_POOL_MAX", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

samples = int(sys.argv[1]) if len(sys.argv) > 1 else 40
seen: collections.Counter = collections.Counter()
with connection.cursor() as cursor:
    for _ in range(samples):
        cursor.execute(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'running') FROM pg_stat_activity"
            " WHERE query LIKE 'SELECT clone_schema(%%' AND state = 'active' AND pid <> pg_backend_pid()"
        )
        rows = [r[0] for r in cursor.fetchall()]
        seen[f"{len(rows)} cloning"] += 1
        seen.update(rows)
        time.sleep(0.5)
print(f"{samples} samples: " + ", ".join(f"{k} {v}" for k, v in seen.most_common()))
