"""Daily anonymisation of grievances past retention, editable by admins in Django admin."""

from django.db import migrations

TASK = "grievances.tasks.anonymise_expired_grievances_task"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.update_or_create(
        name="Anonimisasi pelapor pengaduan lewat masa retensi (harian)",
        defaults={"task": TASK, "crontab": crontab, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("grievances", "0004_subject_request"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
