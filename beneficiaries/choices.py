"""Official code lists (docs/domain.md §6), keyed by the official code.

(A) Dukcapil/KK lists for identity data; (B) BPS Regsosek 2022 lists for welfare surveys. Never mix them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.IntegerChoices):
    MALE = 1, _("Laki-laki")
    FEMALE = 2, _("Perempuan")


class Relationship(models.IntegerChoices):
    """SHDK on the Kartu Keluarga (Dukcapil)."""

    HEAD = 1, _("Kepala Keluarga")
    HUSBAND = 2, _("Suami")
    WIFE = 3, _("Istri")
    CHILD = 4, _("Anak")
    CHILD_IN_LAW = 5, _("Menantu")
    GRANDCHILD = 6, _("Cucu")
    PARENT = 7, _("Orang Tua")
    PARENT_IN_LAW = 8, _("Mertua")
    OTHER_RELATIVE = 9, _("Famili Lain")
    HOUSEHOLD_HELP = 10, _("Pembantu")
    OTHER = 11, _("Lainnya")


class MaritalStatus(models.IntegerChoices):
    """BPS."""

    SINGLE = 1, _("Belum kawin")
    MARRIED = 2, _("Kawin")
    DIVORCED = 3, _("Cerai hidup")
    WIDOWED = 4, _("Cerai mati")


class Religion(models.IntegerChoices):
    """Dukcapil."""

    ISLAM = 1, _("Islam")
    KRISTEN = 2, _("Kristen")
    KATOLIK = 3, _("Katolik")
    HINDU = 4, _("Hindu")
    BUDDHA = 5, _("Buddha")
    KHONGHUCU = 6, _("Khonghucu")
    KEPERCAYAAN = 7, _("Kepercayaan terhadap Tuhan YME")


class Education(models.IntegerChoices):
    """Pendidikan dalam KK (Dukcapil/SIAK), 10 levels."""

    NONE = 1, _("Tidak/Belum Sekolah")
    PRIMARY_INCOMPLETE = 2, _("Belum Tamat SD/Sederajat")
    PRIMARY = 3, _("Tamat SD/Sederajat")
    JUNIOR_SECONDARY = 4, _("SLTP/Sederajat")
    SENIOR_SECONDARY = 5, _("SLTA/Sederajat")
    DIPLOMA_1_2 = 6, _("Diploma I/II")
    DIPLOMA_3 = 7, _("Akademi/Diploma III/Sarjana Muda")
    BACHELOR = 8, _("Diploma IV/Strata I")
    MASTER = 9, _("Strata II")
    DOCTORATE = 10, _("Strata III")


class SchoolParticipation(models.IntegerChoices):
    """Regsosek 2022, ages 5+."""

    NEVER = 1, _("Tidak/belum pernah sekolah")
    IN_SCHOOL = 2, _("Masih sekolah")
    NO_LONGER = 3, _("Tidak bersekolah lagi")


class Occupation(models.IntegerChoices):
    """Dukcapil KK occupation list: the codes confirmed in docs/domain.md §6.2 (others map to 89 Lainnya).

    The full 89-row list must be re-keyed from Dukcapil's published list; the codes not listed here were not
    available to us and are not invented.
    """

    NOT_WORKING = 1, _("Belum/Tidak Bekerja")
    HOMEMAKER = 2, _("Mengurus Rumah Tangga")
    STUDENT = 3, _("Pelajar/Mahasiswa")
    RETIRED = 4, _("Pensiunan")
    CIVIL_SERVANT = 5, _("PNS/ASN")
    TNI = 6, _("TNI")
    POLRI = 7, _("POLRI")
    TRADE = 8, _("Perdagangan")
    FARMER = 9, _("Petani/Pekebun")
    LIVESTOCK = 10, _("Peternak")
    FISHER = 11, _("Nelayan/Perikanan")
    INDUSTRY = 12, _("Industri")
    CONSTRUCTION = 13, _("Konstruksi")
    TRANSPORT = 14, _("Transportasi")
    PRIVATE_EMPLOYEE = 15, _("Karyawan Swasta")
    BUMN_EMPLOYEE = 16, _("Karyawan BUMN")
    BUMD_EMPLOYEE = 17, _("Karyawan BUMD")
    HONORARY_EMPLOYEE = 18, _("Karyawan Honorer")
    DAY_LABOURER = 19, _("Buruh Harian Lepas")
    FARM_LABOURER = 20, _("Buruh Tani/Perkebunan")
    FISHERY_LABOURER = 21, _("Buruh Nelayan/Perikanan")
    LIVESTOCK_LABOURER = 22, _("Buruh Peternakan")
    DOMESTIC_WORKER = 23, _("Pembantu Rumah Tangga")
    BARBER = 24, _("Tukang Cukur")
    ELECTRICIAN = 25, _("Tukang Listrik")
    MASON = 26, _("Tukang Batu")
    CARPENTER = 27, _("Tukang Kayu")
    COBBLER = 28, _("Tukang Sol Sepatu")
    WELDER = 29, _("Tukang Las/Pandai Besi")
    TAILOR = 30, _("Tukang Jahit")
    DENTAL_TECHNICIAN = 31, _("Tukang Gigi")
    MAKEUP_ARTIST = 32, _("Penata Rias")
    FASHION_STYLIST = 33, _("Penata Busana")
    HAIRDRESSER = 34, _("Penata Rambut")
    MECHANIC = 35, _("Mekanik")
    ARTIST = 36, _("Seniman")
    IMAM = 41, _("Imam Masjid")
    PREACHER = 45, _("Ustadz/Mubaligh")
    COOK = 46, _("Juru Masak")
    TEACHER = 65, _("Guru")
    MIDWIFE = 73, _("Bidan")
    NURSE = 74, _("Perawat")
    DRIVER = 81, _("Sopir")
    TRADER = 84, _("Pedagang")
    ENTREPRENEUR = 88, _("Wiraswasta")
    OTHER = 89, _("Lainnya")


class Disability(models.IntegerChoices):
    """UU 8/2016 types (Kemensos/ATENSI). Specific personal data under UU PDP."""

    PHYSICAL = 1, _("Disabilitas fisik")
    INTELLECTUAL = 2, _("Disabilitas intelektual")
    MENTAL = 3, _("Disabilitas mental")
    SENSORY = 4, _("Disabilitas sensorik")
    MULTIPLE = 5, _("Disabilitas ganda/multi")


class ChronicIllness(models.IntegerChoices):
    """Regsosek 2022 Q430. Health data: specific personal data under UU PDP."""

    NONE = 1, _("Tidak ada")
    HYPERTENSION = 2, _("Hipertensi")
    RHEUMATISM = 3, _("Rematik")
    ASTHMA = 4, _("Asma")
    HEART = 5, _("Masalah jantung")
    DIABETES = 6, _("Diabetes")
    TUBERCULOSIS = 7, _("TBC")
    STROKE = 8, _("Stroke")
    CANCER = 9, _("Kanker/tumor ganas")
    KIDNEY_FAILURE = 10, _("Gagal ginjal")
    HAEMOPHILIA = 11, _("Haemophilia")
    HIV_AIDS = 12, _("HIV/AIDS")
    CHOLESTEROL = 13, _("Kolesterol")
    CIRRHOSIS = 14, _("Sirosis hati")
    THALASSAEMIA = 15, _("Thalasemia")
    LEUKAEMIA = 16, _("Leukemia")
    ALZHEIMER = 17, _("Alzheimer")
    OTHER = 18, _("Lainnya")


class NikMissingReason(models.IntegerChoices):
    NEWBORN = 1, _("Bayi baru lahir, belum ada NIK")
    NO_DOCUMENTS = 2, _("Tidak memiliki dokumen kependudukan")
    IN_PROCESS = 3, _("NIK sedang diproses Dukcapil")
    OTHER = 4, _("Lainnya")


class RemovalReason(models.IntegerChoices):
    DECEASED = 1, _("Meninggal dunia")
    MOVED_OUT = 2, _("Pindah ke luar Kertapati")
    DUPLICATE = 3, _("Data ganda")
    DATA_ERROR = 4, _("Kesalahan input data")
    OTHER = 5, _("Lainnya")


# --- Housing (Regsosek 2022 block 3, docs/domain.md §6.6) ---


class HomeOwnership(models.IntegerChoices):
    OWN = 1, _("Milik sendiri")
    RENT = 2, _("Kontrak/sewa")
    RENT_FREE = 3, _("Bebas sewa")
    OFFICIAL = 4, _("Dinas")
    OTHER = 5, _("Lainnya")
    SHARED = 6, _("Menumpang & kepemilikan bersama")


class LandProof(models.IntegerChoices):
    SHM_MEMBER = 1, _("SHM atas nama anggota keluarga")
    SHM_OTHER_AGREEMENT = 2, _("SHM bukan a.n. anggota keluarga, dengan perjanjian tertulis")
    SHM_OTHER_NO_AGREEMENT = 3, _("SHM bukan a.n. anggota keluarga, tanpa perjanjian")
    OTHER_CERTIFICATE = 4, _("Sertifikat lain (SHGB/SHSRS)")
    OTHER_PROOF = 5, _("Surat bukti lain (girik, letter C)")
    NONE = 6, _("Tidak punya")


class FloorMaterial(models.IntegerChoices):
    MARBLE = 1, _("Marmer/granit")
    CERAMIC = 2, _("Keramik")
    PARQUET = 3, _("Parket/vinil/karpet")
    TILE = 4, _("Ubin/tegel/teraso")
    WOOD = 5, _("Kayu/papan")
    CEMENT = 6, _("Semen/bata merah")
    BAMBOO = 7, _("Bambu")
    EARTH = 8, _("Tanah")
    OTHER = 9, _("Lainnya")


class WallMaterial(models.IntegerChoices):
    MASONRY = 1, _("Tembok")
    PLASTERED_BAMBOO = 2, _("Plesteran anyaman bambu/kawat")
    WOOD_BOARD = 3, _("Kayu/papan/gypsum/GRC/calciboard")
    WOVEN_BAMBOO = 4, _("Anyaman bambu")
    LOGS = 5, _("Batang kayu")
    BAMBOO = 6, _("Bambu")
    OTHER = 7, _("Lainnya")


class RoofMaterial(models.IntegerChoices):
    CONCRETE = 1, _("Beton")
    TILE = 2, _("Genteng")
    ZINC = 3, _("Seng")
    ASBESTOS = 4, _("Asbes")
    WOOD_SHINGLE = 5, _("Kayu/sirap")
    BAMBOO = 6, _("Bambu")
    THATCH = 7, _("Jerami/ijuk/daun/rumbia")
    OTHER = 8, _("Lainnya")


class DrinkingWater(models.IntegerChoices):
    BOTTLED = 1, _("Air kemasan bermerk")
    REFILL = 2, _("Air isi ulang")
    PIPED = 3, _("Leding")
    BOREHOLE = 4, _("Sumur bor/pompa")
    PROTECTED_WELL = 5, _("Sumur terlindung")
    UNPROTECTED_WELL = 6, _("Sumur tak terlindung")
    PROTECTED_SPRING = 7, _("Mata air terlindung")
    UNPROTECTED_SPRING = 8, _("Mata air tak terlindung")
    SURFACE = 9, _("Air permukaan (sungai/danau)")
    RAIN = 10, _("Air hujan")
    OTHER = 11, _("Lainnya")
    PDAM = 12, _("PDAM")
    PAMDES = 13, _("PAMDES/PAMSIMAS")


class Lighting(models.IntegerChoices):
    PLN_METERED = 1, _("Listrik PLN dengan meteran")
    PLN_UNMETERED = 2, _("Listrik PLN tanpa meteran")
    NON_PLN = 3, _("Listrik non-PLN")
    NONE = 4, _("Bukan listrik")


class InstalledPower(models.IntegerChoices):
    VA_450 = 450, _("450 VA")
    VA_900 = 900, _("900 VA")
    VA_1300 = 1300, _("1.300 VA")
    VA_2200 = 2200, _("2.200 VA")
    VA_ABOVE_2200 = 2201, _("Lebih dari 2.200 VA")


class CookingFuel(models.IntegerChoices):
    ELECTRICITY = 1, _("Listrik")
    LPG_5_5 = 2, _("Elpiji 5,5 kg/Blue Gaz")
    LPG_12 = 3, _("Elpiji 12 kg")
    LPG_3 = 4, _("Elpiji 3 kg")
    CITY_GAS = 5, _("Gas kota/PGN")
    BIOGAS = 6, _("Biogas")
    KEROSENE = 7, _("Minyak tanah")
    BRIQUETTE = 8, _("Briket")
    CHARCOAL = 9, _("Arang")
    FIREWOOD = 10, _("Kayu bakar")
    OTHER = 11, _("Lainnya")
    NO_COOKING = 12, _("Tidak memasak di rumah")


class ToiletFacility(models.IntegerChoices):
    OWN = 1, _("Sendiri")
    SHARED = 2, _("Bersama rumah tangga tertentu")
    COMMUNAL = 3, _("MCK komunal")
    PUBLIC = 4, _("MCK umum")
    UNUSED = 5, _("Ada, tidak digunakan")
    NONE = 6, _("Tidak ada")


class ToiletType(models.IntegerChoices):
    GOOSENECK = 1, _("Leher angsa")
    PIT_COVERED = 2, _("Plengsengan dengan tutup")
    PIT_UNCOVERED = 3, _("Plengsengan tanpa tutup")
    DROP_PIT = 4, _("Cemplung/cubluk")


class FaecesDisposal(models.IntegerChoices):
    SEPTIC_TANK = 1, _("Tangki septik")
    IPAL = 2, _("IPAL")
    WATER_BODY = 3, _("Kolam/sawah/sungai/danau/laut")
    HOLE = 4, _("Lubang tanah")
    OPEN_GROUND = 5, _("Pantai/tanah lapang/kebun")
    OTHER = 6, _("Lainnya")


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registri", _("Pendataan registri kesejahteraan sosial")
    PROGRAM = "program", _("Keikutsertaan program pemberdayaan")
    AID = "bantuan", _("Penyaluran bantuan lembaga sosial")
    SHARING = "berbagi", _("Berbagi data dengan Dinas Sosial")
