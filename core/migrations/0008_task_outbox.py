"""core.TaskOutbox (tasks kept while Redis is unreachable) and the beat entry that sends them again every minute."""

import django.core.serializers.json
from django.db import migrations, models

TASK = "core.tasks.relay_task_outbox_task"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Kirim ulang tugas yang tertunda saat Redis mati (tiap menit)",
        defaults={"task": TASK, "interval": every_minute, "crontab": None, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0007_retention_schedule"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [
        migrations.CreateModel(
            name="TaskOutbox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task_id", models.CharField(max_length=255, unique=True, verbose_name="ID tugas")),
                ("name", models.CharField(max_length=200, verbose_name="nama tugas")),
                (
                    "args",
                    models.JSONField(
                        blank=True,
                        default=list,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="argumen",
                    ),
                ),
                (
                    "kwargs",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="argumen bernama",
                    ),
                ),
                (
                    "options",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="opsi",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="disimpan pada")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="percobaan kirim ulang")),
                ("last_error", models.CharField(blank=True, max_length=300, verbose_name="kesalahan terakhir")),
            ],
            options={
                "verbose_name": "tugas tertunda",
                "verbose_name_plural": "tugas tertunda (broker tidak tersedia)",
                "ordering": ["pk"],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
