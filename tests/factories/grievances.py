"""Grievance factories (deterministic); the grievances go through the model, the rules are tested on services."""

import datetime

import factory
from django.utils import timezone

from grievances.models import Category, ChangeRequest, Channel, Grievance, Priority, Status
from tests.factories.core import kelurahan


class GrievanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grievance

    channel = Channel.LANGSUNG
    category = Category.BANTUAN_TIDAK_DITERIMA
    title = factory.Sequence(lambda n: f"Pengaduan uji {n}")
    description = "Paket sembako belum diterima."
    kelurahan = factory.LazyFunction(kelurahan)
    complainant_name = "Siti Aminah"
    priority = Priority.SEDANG
    status = Status.BARU
    received_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=14))


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    field_name = "address"
    old_value = factory.LazyAttribute(lambda o: o.household.address)
    new_value = "Jl. Baru No. 1"
    reason = "Sesuai KK terbaru."
