"""The grievance retention now runs inside the one daily retention run (core.tasks.anonymise_expired_records_task).

The handler is registered in GrievancesConfig.ready(); this removes the separate schedule so that it does not
run twice, and puts it back if the migration is reversed.
"""

from django.db import migrations

TASK = "grievances.tasks.anonymise_expired_grievances_task"
NAME = "Anonimisasi pelapor pengaduan lewat masa retensi (harian)"


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


def restore_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.update_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True})


class Migration(migrations.Migration):
    dependencies = [("grievances", "0005_retention_schedule")]

    operations = [migrations.RunPython(remove_schedule, restore_schedule)]
