"""Periodic housekeeping, created as data so that admins can see and change it in Django admin."""

from django.db import migrations


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.update_or_create(
        name="Hapus sesi kedaluwarsa (harian)",
        defaults={"task": "core.tasks.clear_expired_sessions_task", "crontab": crontab, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="core.tasks.clear_expired_sessions_task"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_extensions_and_wilayah"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
