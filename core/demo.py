"""Demo wilayah: a few RTs per kelurahan (synthetic numbering; the real list comes from the kecamatan)."""

from core.models import RT, Kelurahan

RTS_PER_KELURAHAN = 12
RTS_PER_RW = 4


def seed(*, log) -> None:
    created = 0
    for kelurahan in Kelurahan.objects.all():
        for number in range(1, RTS_PER_KELURAHAN + 1):
            _rt, was_created = RT.objects.get_or_create(
                kelurahan=kelurahan, number=number, defaults={"rw": (number - 1) // RTS_PER_RW + 1}
            )
            created += was_created
    log(f"RT/RW: {created} baru")
