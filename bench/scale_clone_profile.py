"""Where a clone's time goes at this tenant count (scale cluster, .data/scale).

Usage: .venv/bin/python bench/scale_clone_profile.py [--runs 2] [--install]
Clones the template into a throwaway schema inside a transaction that is rolled back (nothing is
left), --runs times, with track_functions = 'pl': prints wall time, the PostgreSQL backend's CPU
(from /proc) and the time of each PL/pgSQL function of the clone (pg_stat_xact_user_functions).
--install first (re)creates the clone functions of this checkout (tenants.services._CloneOnce),
then measures again: old vs new in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_POOL_MAX"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from tenants.services import clone_functions_ensure  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def backend_cpu(cursor) -> float:
    cursor.execute("SELECT pg_backend_pid()")
    fields = Path(f"/proc/{cursor.fetchone()[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def measure(label: str, runs: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%%'")
        schemas = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_class")
        classes = cursor.fetchone()[0]
        cursor.execute("SET track_functions = 'pl'")
        for run in range(runs):
            with transaction.atomic():
                c0, w0 = backend_cpu(cursor), time.perf_counter()
                cursor.execute("SELECT clone_schema('tenant_template', 't_scale_probe', 'DATA')")
                wall, cpu = time.perf_counter() - w0, backend_cpu(cursor) - c0
                cursor.execute(
                    "SELECT funcname, calls, round(total_time), round(self_time) FROM pg_stat_xact_user_functions"
                    " ORDER BY self_time DESC"
                )
                funcs = ", ".join(f"{name} self {self_ms:.0f} ms" for name, _c, _t, self_ms in cursor.fetchall())
                transaction.set_rollback(True)
            print(
                f"  {label} run {run + 1}: {wall * 1000:6.0f} ms wall, backend CPU {cpu * 1000:6.0f} ms"
                f" ({schemas} t_ schemas, {classes} pg_class rows; load"
                f" {' '.join(f'{x:.1f}' for x in os.getloadavg())}) | {funcs}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--install", action="store_true")
    args = parser.parse_args()
    connection.set_schema_to_public()
    measure("functions in the database", args.runs)
    if args.install:
        clone_functions_ensure()
        measure("this checkout's functions", args.runs)


if __name__ == "__main__":
    main()
