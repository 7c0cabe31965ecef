"""R7: a pg_dump of a populated database restores into a fresh one with the same counts."""

import pytest
from django.core.management import call_command

from tests.factories.core import RTFactory


@pytest.mark.django_db(transaction=True)
def test_backup_restores_with_identical_counts(tmp_path, keramasan, capsys):
    RTFactory.create_batch(5, kelurahan=keramasan)
    dump = call_command("backup", output=str(tmp_path))
    assert dump.endswith(".dump")
    call_command("restore_drill", dump)
    out = capsys.readouterr().out
    assert "Pemulihan berhasil" in out
    assert "sama persis" in out


@pytest.mark.django_db
def test_restore_drill_refuses_missing_file():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("restore_drill", "/tidak/ada.dump")
