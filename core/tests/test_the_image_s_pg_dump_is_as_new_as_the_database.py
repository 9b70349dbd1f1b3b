"""pg_dump refuses a server newer than itself: backup_workspace and DDL provisioning in the image
need the client of the compose database's major version (Debian bookworm's own client is 15)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_installs_the_postgresql_client_of_the_compose_database_s_major():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    tag = re.search(r"pgvector/pgvector:\$\{PGVECTOR_TAG:-pg(\d+)\}", compose)
    major = re.search(r"^ARG PG_MAJOR=(\d+)$", dockerfile, flags=re.M)
    assert tag and major and tag.group(1) == major.group(1)
    assert '"postgresql-client-${PG_MAJOR}"' in dockerfile
    assert not re.search(r"install[^\n]*\bpostgresql-client\s", dockerfile)  # not Debian's unversioned one
