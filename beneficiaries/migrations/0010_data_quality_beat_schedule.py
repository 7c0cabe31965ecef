"""Nightly scan of the data-quality queue (likely duplicates, households without exactly one head), created as
data so that admins can see and change it in Django admin (the project's beat scheduler is the database one)."""

from django.db import migrations

TASK = "beneficiaries.tasks.detect_duplicates_task"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.update_or_create(
        name="Cari data ganda dan masalah data keluarga (harian)",
        defaults={"task": TASK, "crontab": crontab, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0009_household_quality_flags"),
        ("core", "0003_beat_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
