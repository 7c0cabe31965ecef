from core.replica import PrimaryReplicaRouter, reporting_db


def test_reporting_db_without_replica(settings):
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert reporting_db() == "default"


def test_reporting_db_with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    assert reporting_db() == "replica"


def test_router_writes_and_migrates_only_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "beneficiaries") is False
    assert router.allow_migrate("default", "beneficiaries") is True
