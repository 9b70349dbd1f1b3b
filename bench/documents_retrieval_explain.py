"""EXPLAIN (ANALYZE, BUFFERS) of retrieval's hybrid statement over the bench tenant (load it first with
bench/documents_retrieval.py --keep): where a whole-tenant (or narrower) query spends its time.

Usage: .venv/bin/python bench/documents_retrieval_explain.py [--share 1.0] [--n 3] [--query "w1 w2"]
       [--set work_mem=8MB ...] (settings for the statement's transaction, e.g. to compare plans)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.documents_retrieval import DIM, MODEL, SUBDOMAIN, VOCAB, _centres, _load_avg, _query_vector, _zipf  # noqa: E402


def main() -> None:
    import numpy as np
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from documents.retrieval import _hybrid_sql
    from tenants.models import Tenant

    parser = argparse.ArgumentParser()
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--n", type=int, default=3, help="questions to explain (the first is a warm-up)")
    parser.add_argument("--query", default="")
    parser.add_argument("--set", action="append", default=[], help="name=value, SET LOCAL before the statement")
    args = parser.parse_args()
    tenant = Tenant.objects.get(subdomain=SUBDOMAIN)
    with schema_context(tenant.schema_name):
        from documents.models import Document

        counts = {str(pk): n for pk, n in Document.objects.values_list("pk", "chunk_count")}
        all_docs = list(counts)
        py_rng, rng, centres = random.Random(5), np.random.default_rng(11), _centres()
        print(f"load average {_load_avg()}")
        for i in range(args.n):
            doc_ids = (
                all_docs if args.share == 1.0 else py_rng.sample(all_docs, max(1, int(len(all_docs) * args.share)))
            )
            vec = _query_vector(rng, centres)
            picks = [*_zipf(rng, (2,)), *rng.integers(0, len(VOCAB), 2)]
            query = args.query or " ".join(str(VOCAB[j]) for j in picks)
            sql, params = _hybrid_sql(doc_ids, query, {"en"}, vec, MODEL, DIM, 40, 5, 0.0,
                                      sum(counts[d] for d in doc_ids))  # fmt: skip
            settings_sql, statement = sql.split(";\n", 1)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(settings_sql, params[:1])
                for item in args.set:
                    name, value = item.split("=", 1)
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, SETTINGS) " + statement, params[1:])
                plan = "\n".join(re.sub(r"'\{[0-9a-f-,]{200,}\}'", "'{…ids…}'", r[0]) for r in cursor.fetchall())
            if i or args.n == 1:
                print(f"\n--- question {i}: {query!r}, {len(doc_ids)} documents\n{plan}")


if __name__ == "__main__":
    main()
