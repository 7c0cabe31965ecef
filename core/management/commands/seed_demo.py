"""Idempotent demo data: the wilayah's RTs, one user per role, then each app's own demo data.

Each app may provide `<app>/demo.py` with `seed(*, log)`; they run in INSTALLED_APPS order, which is the
dependency order, so an app's demo can rely on the registry's demo households.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.history import acting_as


class Command(BaseCommand):
    help = "Mengisi data demo (sintetis) yang aman dijalankan berulang kali."

    def handle(self, *args, **options):
        def log(message):
            self.stdout.write(f"  {message}")

        with transaction.atomic(), acting_as(None, command="seed_demo"):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                importlib.import_module(module_name).seed(log=log)
        self.stdout.write(self.style.SUCCESS("Data demo siap."))
