from django.db import migrations

# One HNSW index per embedding dimension in use (pgvector indexes need a fixed dimension): the
# local multilingual-e5-small model (384) and OpenAI's text-embedding-3-small (1536). Queries cast
# ``embedding::vector(<dim>)`` and filter on the model, so the planner picks the matching index.
DIMENSIONS = (384, 1536)


def _create(dim: int) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS documents_chunk_hnsw_{dim} ON documents_documentchunk "
        f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) WITH (m = 16, ef_construction = 64) "
        f"WHERE embedding_dimension = {dim}"
    )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunSQL(_create(dim), reverse_sql=f"DROP INDEX IF EXISTS documents_chunk_hnsw_{dim}")
        for dim in DIMENSIONS
    ]
