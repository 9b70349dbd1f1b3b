from django.db import migrations

# A 384-d chunk row (vector 1.5 kB + text + tsvector, ~2.4 kB) is over PostgreSQL's default TOAST
# threshold (~2 kB), so each embedding went out of line into the TOAST table and the exact search of a
# narrow scope paid a TOAST lookup per chunk (PERFORMANCE.md, documents run 4). Rows up to 4 kB now
# stay in the heap page. Applies to rows written from now on (new documents, reembed_documents);
# existing rows move in with VACUUM FULL documents_documentchunk (rewrites the table, rebuilds indexes).
class Migration(migrations.Migration):
    dependencies = [("documents", "0002_chunk_hnsw")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE documents_documentchunk SET (toast_tuple_target = 4080)",
            reverse_sql="ALTER TABLE documents_documentchunk RESET (toast_tuple_target)",
        )
    ]
