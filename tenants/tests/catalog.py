"""A schema described from pg_catalog, its own name replaced by ``S``: two schemas made alike
describe alike (tables, columns with types and defaults, indexes, constraints, sequences,
triggers, and with ``rows`` every row and each sequence's value).

Normalised: columns by position among the live ones (a template that dropped a column has a gap in
attnum, a schema made from its DDL has none), and expressions (index predicates, constraints,
defaults) without casts and parentheses: PostgreSQL prints a re-parsed expression's casts in
another place (``ARRAY['a'::varchar, ...]::text[]`` becomes ``ARRAY[('a'::varchar)::text, ...]``)."""

from __future__ import annotations

import re

from django.db import connection, transaction


def describe(schema: str, *, rows: bool = False) -> dict[str, object]:
    def norm(text):
        if not isinstance(text, str):
            return text
        return re.sub(rf'(?<![\w$])"?{re.escape(schema)}"?(?=\.)', "S", text)

    def expr(text):
        if not isinstance(text, str):
            return text
        return re.sub(r"\s+", " ", re.sub(r"::[a-z_ ]+(\(\d+\))?(\[\])?|[()]", "", text)).strip()

    def fetch(sql: str) -> list[tuple]:
        cursor.execute(sql, {"s": schema})
        return sorted(tuple(norm(v) for v in row) for row in cursor.fetchall())

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SET LOCAL search_path = pg_catalog")  # every name outside pg_catalog qualified
        out: dict[str, list] = {
            "relations": fetch(
                "SELECT c.relname, c.relkind, c.relpersistence, c.reloptions::text, c.relhasindex"
                " FROM pg_class c WHERE c.relnamespace = %(s)s::regnamespace"
            ),
            "columns": fetch(
                "SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,"
                " format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                " a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid), co.collname"
                " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
                " WHERE c.relnamespace = %(s)s::regnamespace AND a.attnum > 0 AND NOT a.attisdropped"
                " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
            ),
            "indexes": fetch(
                "SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisunique"
                " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                " WHERE ic.relnamespace = %(s)s::regnamespace"
            ),
            "constraints": fetch(
                "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable,"
                " k.condeferred FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                " WHERE k.connamespace = %(s)s::regnamespace"
            ),
            "sequences": fetch(
                "SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle,"
                " cache_size FROM pg_sequences WHERE schemaname = %(s)s"
            ),
            "sequence_owners": fetch(
                "SELECT s.relname, t.relname, a.attname, d.deptype FROM pg_depend d"
                " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
                " WHERE s.relnamespace = %(s)s::regnamespace AND d.classid = 'pg_class'::regclass"
            ),
            "triggers": fetch(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal"
            ),
        }
        for key, position in (("columns", 7), ("indexes", 1), ("constraints", 3)):
            out[key] = sorted(row[:position] + (expr(row[position]),) + row[position + 1 :] for row in out[key])
        result: dict[str, object] = dict(out)
        if rows:
            data = {}
            for (table,) in fetch(
                "SELECT relname FROM pg_class WHERE relnamespace = %(s)s::regnamespace AND relkind IN ('r', 'p')"
            ):
                cursor.execute(f'SELECT t::text FROM "{schema}"."{table}" t')
                data[table] = sorted(row[0] for row in cursor.fetchall())
            result["rows"] = data
            result["sequence_values"] = fetch(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %(s)s"
            )
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
    return result
