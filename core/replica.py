"""Optional read replica for reports and dashboards (docs/operations.md, scale-out).

With DATABASE_REPLICA_URL set, report builders run their aggregate queries on the `replica` alias;
without it, on `default`. Writes always go to `default`.
"""

from django.conf import settings


def reporting_db() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"


class PrimaryReplicaRouter:
    """Only the primary is migrated or written; reads go where the code says (`.using(reporting_db())`)."""

    def db_for_write(self, model, **hints):
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True
