"""Django's PostgreSQL DatabaseWrapper whose pool is FailFastPool (pool.py)."""

from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql.base import *  # noqa: F403 - the backend module's names, as Django's
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

from .pool import FailFastPool


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    @property
    def pool(self):
        # Django's own property builds psycopg's ConnectionPool on first use; build ours the same way
        # (same arguments) first, and let Django's return it from its per-alias registry.
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if pool_options and self.alias != NO_DB_ALIAS and self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) == 0:  # else Django's property raises its error
                connect_kwargs = self.get_connection_params()
                connect_kwargs["autocommit"] = True
                enable_checks = self.settings_dict["CONN_HEALTH_CHECKS"]
                pool = FailFastPool(
                    kwargs=connect_kwargs,
                    open=False,
                    configure=self._configure_connection,
                    check=FailFastPool.check_connection if enable_checks else None,
                    **({} if pool_options is True else pool_options),
                )
                self._connection_pools.setdefault(self.alias, pool)
        return super().pool
