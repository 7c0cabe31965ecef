"""`manage.py import_households PATH [--dry-run]`: the same import service as the upload page."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from beneficiaries.models import ImportBatch
from beneficiaries.services.importing import import_file_path
from core.history import acting_as


class Command(BaseCommand):
    help = "Mengimpor keluarga dan anggotanya dari berkas CSV atau XLSX (format templat impor)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Hanya periksa, jangan simpan.")
        parser.add_argument("--user", help="Nama pengguna yang tercatat sebagai pengimpor.")

    def handle(self, *args, path, dry_run, user=None, **options):
        actor = get_user_model().objects.get(username=user) if user else None
        try:
            with acting_as(actor, command="import_households"):
                batch = import_file_path(path, actor=actor, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        except OSError as error:
            raise CommandError(f"Berkas tidak dapat dibaca: {error}")
        for row in batch.rows.filter(is_accepted=False).order_by("row_number")[:200]:
            for problem in row.errors:
                self.stdout.write(f"  baris {row.row_number}, kolom {problem['column']}: {problem['message']}")
        self.stdout.write(
            f"Baris: {batch.total_rows}, diterima {batch.accepted_rows}, ditolak {batch.rejected_rows}. "
            f"Keluarga baru {batch.households_created}, diperbarui {batch.households_updated}; "
            f"anggota baru {batch.members_created}, diperbarui {batch.members_updated}, sama {batch.unchanged_rows}."
        )
        if batch.message:
            self.stdout.write(batch.message)
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.message)
        self.stdout.write(
            self.style.SUCCESS(
                "Pemeriksaan saja (--dry-run): tidak ada yang disimpan."
                if dry_run
                else f"Status: {batch.get_status_display()}"
            )
        )
