"""Every sentence the field app's JavaScript shows, translated into the language of the request.

The app shell renders them into its config (`views._config`, a json_script block), so the app follows the
portal's language switch like the portal's own pages (issue 22 A5). In the JavaScript, `t("key", {name: ...})`
fills Django-style `%(name)s` placeholders (static/field_app/js/i18n.js); a sentence with a count has both forms,
`{"one": ..., "other": ...}`, used through `tn("key", n, ...)`. tests/field_app/test_texts.py checks that the
modules use exactly these keys.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _forms(sentence: Callable[[int], str]) -> dict[str, str]:
    """Both forms of a sentence with a count: `sentence` calls ngettext, so makemessages still finds it."""
    return {"one": sentence(1), "other": sentence(2)}


def strings() -> dict[str, str | dict[str, str]]:
    return {
        # header: connection and sync
        "online": _("Terhubung"),
        "offline": _("Tanpa koneksi"),
        "sending": _("Mengirim…"),
        "retry_at": _("Gagal terkirim, dicoba lagi %(time)s"),
        "n_to_fix": _("%(n)s perlu diperbaiki"),
        "n_delivered_by_others": _("%(n)s sudah diserahkan petugas lain"),
        "last_sync": _("Sinkron terakhir %(when)s"),
        "no_connection": _("Tidak ada koneksi. Catatan tetap tersimpan dan dikirim saat koneksi kembali."),
        "sync_failed": _("Sinkron gagal: server tidak dapat dihubungi. Dicoba lagi otomatis."),
        "sent_n": _("Terkirim: %(n)s"),
        "delivered_by_others_n": _("sudah diserahkan petugas lain: %(n)s"),
        "rejected_n": _("ditolak: %(n)s"),
        "photos_uploaded_n": _("foto terunggah: %(n)s"),
        "photos_rejected_n": _("foto ditolak: %(n)s"),
        "nothing_waiting": _("Tidak ada catatan yang menunggu."),
        "photo_refused_http": _("Foto ditolak server (HTTP %(status)s)."),
        # what the server said about a record
        "already_delivered_by": _("Sudah diserahkan oleh %(who)s pada %(when)s."),
        "another_worker": _("petugas lain"),
        "not_in_round": _("Keluarga ini tidak lagi terdaftar di putaran lembaga Anda."),
        "rejected_by_server": _("Ditolak server."),
        # the session
        "session_ended": _("Sesi masuk berakhir."),
        "session_ended_text": _("Masuk lagi untuk mengirim catatan; catatan di perangkat tetap tersimpan."),
        "token_expired": _("Token perangkat sudah tidak berlaku."),
        "token_expired_text": _("Catatan tetap tersimpan; masuk lagi saat ada sinyal untuk mengirimnya."),
        "sign_in_again": _("Masuk lagi"),
        # signing in and out
        "device_name": _("Aplikasi lapangan"),
        "login_fill_in": _("Isi nama pengguna dan kata sandi."),
        "login_needs_connection": _("Masuk memerlukan koneksi internet. Coba lagi saat ada sinyal."),
        "denied_role": _(
            "Anda masuk sebagai %(role)s. Aplikasi lapangan hanya untuk Petugas Lembaga yang mencatat penyerahan "
            "bantuan."
        ),
        "unsynced_of_other_worker": _forms(
            lambda n: ngettext(
                "Masih ada %(n)s catatan belum tersinkron milik %(owner)s. Masuk sebagai %(owner)s untuk "
                "mengirimnya, atau keluar lewat menu Akun untuk menghapusnya.",
                "Masih ada %(n)s catatan belum tersinkron milik %(owner)s. Masuk sebagai %(owner)s untuk "
                "mengirimnya, atau keluar lewat menu Akun untuk menghapusnya.",
                n,
            )
        ),
        "login_locked": _("Terlalu banyak percobaan gagal. Akun dikunci sementara; coba lagi dalam 15 menit."),
        "login_wrong": _("Nama pengguna atau kata sandi salah."),
        "server_unreachable": _("Server tidak dapat dihubungi. Periksa koneksi lalu coba lagi."),
        "logout_records_lost": _forms(
            lambda n: ngettext(
                "%(n)s catatan belum tersinkron akan hilang.", "%(n)s catatan belum tersinkron akan hilang.", n
            )
        ),
        "logout_photos_lost": _forms(
            lambda n: ngettext("%(n)s foto belum terunggah akan hilang.", "%(n)s foto belum terunggah akan hilang.", n)
        ),
        "logout_anyway": _("Tetap keluar dan hapus catatan"),
        "logout": _("Keluar"),
        "logged_out": _("Anda sudah keluar. Data di perangkat ini sudah dihapus."),
        # rounds
        "round_approved": _("Disetujui · belum mulai"),
        "round_distributing": _("Sedang disalurkan"),
        "no_open_rounds": _("Belum ada putaran terbuka untuk lembaga Anda."),
        "no_data_on_device": _("Belum ada data di perangkat. Buka aplikasi sekali saat ada sinyal."),
        "round_stored": _forms(
            lambda n: ngettext(
                "Tersimpan di perangkat: %(n)s keluarga (diperbarui %(when)s)",
                "Tersimpan di perangkat: %(n)s keluarga (diperbarui %(when)s)",
                n,
            )
        ),
        "round_not_downloaded": _("Belum diunduh ke perangkat"),
        # households of a round
        "downloading_households": _("Mengunduh data keluarga…"),
        "households_not_updated": _("Data keluarga tidak dapat diperbarui; memakai data di perangkat."),
        "hh_delivered_at": _("Sudah diserahkan · %(when)s"),
        "hh_recorded_pending": _("Tercatat · menunggu sinkron"),
        "hh_delivered_sent": _("Diserahkan · terkirim"),
        "delivered_by_other_worker": _("Sudah diserahkan petugas lain"),
        "hh_rejected": _("Ditolak · perlu diperbaiki"),
        "undelivered_reason": _("Tidak tersalurkan: %(reason)s"),
        "hh_not_yet": _("Belum"),
        "hh_summary": _forms(
            lambda n: ngettext(
                "%(done)s dari %(total)s keluarga sudah menerima · %(state)s",
                "%(done)s dari %(total)s keluarga sudah menerima · %(state)s",
                n,
            )
        ),
        "hh_round_distributing": _("sedang disalurkan"),
        "hh_round_not_started": _("belum mulai disalurkan"),
        "hh_not_downloaded": _(
            "Data keluarga putaran ini belum ada di perangkat. Buka putaran ini sekali saat ada sinyal."
        ),
        "hh_no_match": _("Tidak ada keluarga yang cocok."),
        "hh_none": _("Belum ada data keluarga."),
        "no_head": _("Tanpa kepala keluarga"),
        # recording
        "photo_replace": _("Ganti foto"),
        "photo_take": _("Ambil foto"),
        "photo_unreadable": _("Foto tidak dapat dibaca. Coba ambil ulang."),
        "nik": _("NIK %(nik)s"),
        "already_received_at": _("Keluarga ini sudah menerima paket pada %(when)s."),
        "already_recorded_here": _("Penyerahan untuk keluarga ini sudah tercatat di perangkat (%(when)s)."),
        "round_not_started": _("Putaran ini belum mulai disalurkan; penyerahan belum dapat dicatat."),
        "rejected_fix_and_resend": _("Ditolak server: %(problem)s Perbaiki lalu simpan untuk mengirim ulang."),
        "recipient_proxy": _("Diwakilkan (penerima kuasa)"),
        "choose_reason": _("Pilih alasan…"),
        "time_required": _("Isi waktu."),
        "time_in_future": _("Waktu tidak boleh di masa depan."),
        "notes_too_long": _("Catatan paling banyak 500 karakter."),
        "recipient_required": _("Pilih penerima."),
        "proxy_required": _("Isi nama dan hubungan penerima kuasa."),
        "proxy_label": _("%(name)s (%(relation)s, kuasa)"),
        "reason_required": _("Pilih alasan tidak tersalurkan."),
        "delivery_saved": _("Penyerahan tersimpan di perangkat."),
        "visit_saved": _("Kunjungan tersimpan di perangkat."),
        # the queue
        "group_rejected": _("Perlu diperbaiki"),
        "group_pending": _("Menunggu sinkron"),
        "group_synced": _("Terkirim"),
        "delivered_to": _("Diserahkan kepada %(recipient)s"),
        "fix": _("Perbaiki"),
        "photo_discard": _("Hapus foto"),
        "remove_from_list": _("Hapus dari daftar"),
        "record_discard": _("Hapus catatan"),
        "entitlement_n": _("Hak #%(id)s"),
        "photo_sent": _("Foto terkirim"),
        "photo_rejected": _("Foto ditolak server: %(problem)s"),
        "photo_waiting_upload": _("Foto menunggu diunggah"),
        "photo_kept_on_device": _("Foto tersimpan di perangkat, dikirim setelah catatan"),
        "queue_counts": _("Menunggu: %(pending)s · perlu diperbaiki: %(rejected)s · terkirim: %(synced)s"),
        "queue_empty": _("Belum ada catatan di perangkat ini."),
        "photo_discarded": _("Foto dihapus dari perangkat."),
        "record_discarded": _("Catatan dihapus dari perangkat."),
        # account
        "token_no_longer_valid": _("Token perangkat sudah tidak berlaku: masuk lagi saat ada sinyal."),
        "token_valid_until": _("Token perangkat berlaku sampai %(when)s"),
        # scanning a card
        "scan_point_camera": _("Arahkan kamera ke kode QR pada kartu keluarga."),
        "scan_no_camera": _("Kamera tidak dapat dibuka. Ketik kode kartu, atau cari nama di daftar."),
        "scan_unsupported": _("Peramban ini tidak dapat memindai QR. Ketik kode kartu, atau cari nama di daftar."),
        "card_code_required": _("Isi kode kartu."),
        "card_not_in_round": _("Kartu ini tidak terdaftar di putaran ini."),
        "card_codes_not_downloaded": _("Kode kartu putaran ini belum diunduh. Buka putaran sekali saat ada sinyal."),
        "scan_title": _("Pindai kartu keluarga"),
        "card_type_code": _("Ketik kode kartu"),
        "card_type_code_note": _("Ketik kode di bawah QR pada kartu keluarga, mis. ABCDE-12345."),
        "card_code_invalid": _(
            "“%(typed)s” bukan kode kartu: kode kartu terdiri dari 10 huruf dan angka, mis. ABCDE-12345."
        ),
    }
