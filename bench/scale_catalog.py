"""Catalog size of the scale cluster (.data/scale): bench/scale_catalog.py

Prints the tenant count, pg_class / pg_attribute / pg_depend / pg_index rows, the size of the
pg_catalog schema, of the database and of the data directory on disk, and each per tenant (the
difference to an empty database is not subtracted: with thousands of tenants it is small)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_POOL_MAX", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

MB = 1024 * 1024

with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%%'")
    tenants = cursor.fetchone()[0]
    print(f"tenant schemas: {tenants}")
    for table in ("pg_class", "pg_attribute", "pg_depend", "pg_index", "pg_constraint", "pg_type"):
        cursor.execute(f"SELECT count(*) FROM {table}")
        rows = cursor.fetchone()[0]
        print(f"  {table:14s} {rows:>10,} rows  ({rows / max(tenants, 1):7.1f} per tenant)")
    cursor.execute(
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace"
        " AND c.relkind IN ('r', 't', 'm')"
    )
    catalog = cursor.fetchone()[0]
    cursor.execute("SELECT pg_database_size(current_database())")
    database = cursor.fetchone()[0]
    print(f"  pg_catalog size {catalog / MB:10.1f} MB  ({catalog / max(tenants, 1) / 1024:7.1f} kB per tenant)")
    print(f"  database size   {database / MB:10.1f} MB  ({database / max(tenants, 1) / 1024:7.1f} kB per tenant)")
disk = subprocess.run(["du", "-sm", str(settings.DATA_DIR)], capture_output=True, text=True).stdout.split()[0]
print(f"  data dir on disk {int(disk):9,} MB  (incl. WAL)")
