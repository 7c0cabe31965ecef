"""Report schedules, created as data so that admins can see and change them in Django admin."""

from django.db import migrations

SCHEDULES = [
    # (name, task, crontab fields)
    (
        "Laporan kesejahteraan bulanan (tanggal 1, bulan sebelumnya)",
        "reports.tasks.generate_monthly_reports_task",
        {"minute": "0", "hour": "1", "day_of_month": "1", "day_of_week": "*", "month_of_year": "*"},
    ),
    (
        "Laporan koordinasi penyaluran (mingguan, Senin)",
        "reports.tasks.generate_coordination_reports_task",
        {"minute": "30", "hour": "5", "day_of_month": "*", "day_of_week": "1", "month_of_year": "*"},
    ),
    (
        "Hitung ulang agregat dasbor (harian)",
        "reports.tasks.refresh_dashboard_task",
        {"minute": "0", "hour": "3", "day_of_month": "*", "day_of_week": "*", "month_of_year": "*"},
    ),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, fields in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(timezone="Asia/Jakarta", **fields)
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[task for _name, task, _fields in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
