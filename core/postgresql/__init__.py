"""Django's PostgreSQL backend with a connection pool that fails fast during an outage (pool.py).

django-tenants' backend (the ENGINE) builds on it through ``ORIGINAL_BACKEND`` (config/settings)."""
