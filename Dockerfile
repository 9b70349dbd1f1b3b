# syntax=docker/dockerfile:1
# Chorus image: web (uvicorn), worker and beat (Celery) all run it; docker-compose.yml says which.
# Stage 1 builds the virtualenv, compiles the translations and collects the static files;
# stage 2 carries only the results and runs as an unprivileged user.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# compiled messages (what `make messages` does) and static files, baked into the image
RUN find . -name "*.po" -path "*/LC_MESSAGES/*" -print0 \
    | xargs -0 -I{} sh -c 'msgfmt --check-format -o "$(dirname {})/$(basename {} .po).mo" {}'
# collectstatic imports the production settings, which need these set; nothing connects at build time
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    SECRET_KEY=build-only FERNET_KEYS=MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA= \
    DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production
# libpq-free: psycopg[binary] brings its own. pg_dump (backup_workspace, DDL provisioning) must be
# at least the server's major version (pg_dump refuses a newer server): Debian bookworm's client is
# 15, the compose database is pgvector's pg17, so the client comes from PostgreSQL's own apt
# repository (apt.postgresql.org), for PG_MAJOR = the major of PGVECTOR_TAG.
ARG PG_MAJOR=17
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
    && apt-get purge -y curl && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 chorus \
    && useradd --system --uid 10001 --gid chorus --home-dir /app --shell /usr/sbin/nologin chorus
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
WORKDIR /app
# the only writable places: uploaded media (a volume) and beat's schedule file
RUN mkdir -p /app/media /app/var && chown chorus:chorus /app/media /app/var && chmod 700 /app/var
USER chorus
EXPOSE 8000
CMD ["uvicorn", "config.asgi:application", "--host=0.0.0.0", "--port=8000", "--proxy-headers"]
