"""Scale: migrate_schemas over every tenant of the scale cluster (.data/scale, bench/scale_provision.py).

Usage:
  .venv/bin/python bench/scale_migrate.py --noop [--sample 100] [--profile]
      nothing to apply: the project's executor (tenants.migration_executor: leaves out the schemas
      that record every migration) over all tenants, through the real command, next to
      django-tenants' own executor over the first --sample tenants (Django's migrate in each),
      both over the ready tenants (--command: the project's through migrate_schemas, which also
      reads the tenants being provisioned, whose schemas do not exist yet),
      same run; prints wall and CPU per schema, the load average; --profile adds a cProfile of
      the upstream run.
  .venv/bin/python bench/scale_migrate.py --new-migration-ab [--sample 40] [--processes 2]
      one throwaway migration applied with each executor to its own --sample tenants (see
      new_migration_ab); the file is removed at the end.
  .venv/bin/python bench/scale_migrate.py --new-migration standard|multiprocessing [--processes 2]
      writes a throwaway migration (orchestration/migrations/9xxx_scale_probe_*.py: CREATE TABLE of
      one column) and applies it to every tenant with that executor; the file is left for the next
      run's dependency and must not be committed (bench/scale_migrate.py --clean removes them).

DATABASE_POOL_MAX=0 here: the multiprocessing executor forks, and forked children must not share
the parent's pooled sockets.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants import migration_executors  # noqa: E402
from django_tenants.management.commands import migrate_schemas  # noqa: E402

from tenants.models import Tenant  # noqa: E402

MIGRATIONS = ROOT / "orchestration" / "migrations"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def children_cpu() -> float:
    r = os.times()
    return r.children_user + r.children_system


def tenant_schemas() -> list[str]:
    connection.set_schema_to_public()
    return list(
        Tenant.objects.exclude(schema_name="public")
        .filter(state=Tenant.State.READY)
        .order_by("created_at")
        .values_list("schema_name", flat=True)
    )


def options(*argv: str) -> dict:
    parser = migrate_schemas.Command().create_parser("manage.py", "migrate_schemas")
    return vars(parser.parse_args(["--tenant", "--noinput", "-v0", *argv]))


def noop(sample: int, profile: bool, full_command: bool) -> None:
    schemas = tenant_schemas()
    print(f"migrate_schemas with nothing to apply, {len(schemas)} tenant schemas, load {load()}")
    w0, c0 = time.perf_counter(), time.process_time()
    if full_command:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    else:
        migrate_schemas.GET_EXECUTOR_FUNCTION(codename="standard")((), options()).run_migrations(tenants=list(schemas))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    how = "migrate_schemas --tenant" if full_command else "executor over the ready tenants"
    print(
        f"  project executor (skips up-to-date), {how}, all {len(schemas)}: {wall:7.2f} s wall, {cpu:6.2f} s CPU"
        f"  = {wall / len(schemas) * 1000:6.2f} ms/schema   load {load()}"
    )
    subset = schemas[:sample]
    executor = migration_executors.get_executor("standard")((), options())
    profiler = cProfile.Profile() if profile else None
    w0, c0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    executor.run_migrations(tenants=list(subset))
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"  django-tenants standard, first {len(subset)}: {wall:7.2f} s wall, {cpu:6.2f} s CPU"
        f"  = {wall / len(subset) * 1000:6.1f} ms/schema ({cpu / len(subset) * 1000:5.1f} ms CPU)"
        f" -> {wall / len(subset) * len(schemas):6.0f} s for all {len(schemas)}   load {load()}"
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())


def new_migration(codename: str, processes: int) -> None:
    existing = sorted(MIGRATIONS.glob("9*_scale_probe_*.py"))
    number = 9001 + len(existing)
    previous = existing[-1].stem if existing else "0006_answer_settings_name"
    name = f"{number}_scale_probe_{codename}"
    table = f"scale_probe_{number}"
    (MIGRATIONS / f"{name}.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('orchestration', '{previous}')]\n"
        f"    operations = [migrations.RunSQL('CREATE TABLE {table} (id integer)', 'DROP TABLE {table}')]\n"
    )
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = processes
    schemas = tenant_schemas()
    print(
        f"new migration {name} (CREATE TABLE) on {len(schemas)} tenant schemas, executor {codename}"
        f"{f' ({processes} processes)' if codename == 'multiprocessing' else ''}, load {load()}"
    )
    w0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
    call_command("migrate_schemas", tenant=True, executor=codename, interactive=False, verbosity=0)
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0 + children_cpu() - k0
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        applied = sum(
            1
            for schema in schemas
            if cursor.execute(
                f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', ["orchestration", name]
            )
            and cursor.fetchone()
        )
    print(
        f"  {codename}: {wall:7.1f} s wall, {cpu:7.1f} s CPU (this process + children)"
        f" = {wall / len(schemas) * 1000:6.1f} ms/schema; applied in {applied}/{len(schemas)}   load {load()}"
    )


def new_migration_ab(sample: int, processes: int) -> None:
    """One throwaway migration, applied with the standard executor to tenants 1..sample and with the
    multiprocessing one to tenants sample+1..2*sample: the same work at the same catalog size, in
    one run, without applying it to every tenant (at 0.6-2 s per schema on this machine that takes
    longer than the session). Per-schema figures times the tenant count give the full run."""
    name, table = _write_probe_migration("ab")
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = processes
    schemas = tenant_schemas()
    print(f"new migration {name} (CREATE TABLE), {len(schemas)} tenants; {sample} schemas per executor, load {load()}")
    for codename, subset in (("standard", schemas[:sample]), ("multiprocessing", schemas[sample : 2 * sample])):
        executor = migrate_schemas.GET_EXECUTOR_FUNCTION(codename=codename)((), options())
        w0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
        executor.run_migrations(tenants=list(subset))
        wall = time.perf_counter() - w0
        cpu = time.process_time() - c0 + children_cpu() - k0
        connection.set_schema_to_public()
        applied = _applied(subset, name)
        extra = f" ({processes} processes)" if codename == "multiprocessing" else ""
        print(
            f"  {codename}{extra}: {wall:7.1f} s wall, {cpu:6.1f} s CPU (this process + children)"
            f" = {wall / len(subset) * 1000:6.0f} ms/schema -> {wall / len(subset) * len(schemas) / 60:5.1f} min"
            f" for all {len(schemas)}; applied in {applied}/{len(subset)}   load {load()}",
            flush=True,
        )


def _write_probe_migration(kind: str) -> tuple[str, str]:
    existing = sorted(MIGRATIONS.glob("9*_scale_probe_*.py"))
    number = 9001 + len(existing)
    previous = existing[-1].stem if existing else "0006_answer_settings_name"
    name, table = f"{number}_scale_probe_{kind}", f"scale_probe_{number}"
    (MIGRATIONS / f"{name}.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('orchestration', '{previous}')]\n"
        f"    operations = [migrations.RunSQL('CREATE TABLE {table} (id integer)', 'DROP TABLE {table}')]\n"
    )
    return name, table


def _applied(schemas: list[str], name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT 1 FROM {connection.ops.quote_name(s)}.django_migrations WHERE app = 'orchestration'"
                " AND name = %s"
                for s in schemas
            ),
            [name] * len(schemas),
        )
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--noop", action="store_true")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--command", action="store_true", help="the project executor through migrate_schemas (every Tenant row)"
    )
    parser.add_argument("--new-migration", choices=["standard", "multiprocessing"])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--new-migration-ab", action="store_true")
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    if args.noop:
        noop(args.sample, args.profile, args.command)
    if args.new_migration:
        new_migration(args.new_migration, args.processes)
    if args.new_migration_ab:
        new_migration_ab(args.sample, args.processes)
    if args.clean or args.new_migration_ab:
        for path in MIGRATIONS.glob("9*_scale_probe_*.py"):
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
