"""The values the scale generator draws from: the mixes of paths, priorities, categories and
channels, titles, names and details, and its limits."""

from __future__ import annotations

from datetime import timedelta

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aspirasi_scale"
OFFICER_PASSWORD = "bench-only-pass-1"  # benchmark databases only
FAST_THRESHOLD = 50_000
MAX_CASES = 1 << 24  # tracking codes are a bijection of the case index below this

# the tables a load writes, in dependency order
BULK_TABLES = (
    "casework_case",
    "casework_caseprocess",
    "casework_casetask",
    "casework_casetask_previous",
    "casework_assignment",
    "casework_caseevent",
)

TEMP_TABLES = (
    "gen_c",
    "gen_desa",
    "gen_cat",
    "gen_pick",
    "gen_days",
    "gen_slot",
    "gen_slotn",
    "gen_tpl",
    "gen_evt",
    "gen_secret",
)

# path codes: the history a case went through
# F forwarded, T in_triage, D dispatched, P in_progress, C closed, R rejected
PATH_STATUS = {
    "F": "forwarded",
    "T": "in_triage",
    "D": "dispatched",
    "P": "in_progress",
    "C": "closed",
    "R": "rejected",
}
OPEN_MIX = (("F", 0.20), ("T", 0.15), ("D", 0.20), ("P", 0.45))
CLOSED_MIX = (("C", 0.85), ("R", 0.15))

PRIORITIES = ("rendah", "sedang", "tinggi", "darurat")
PRIORITY_MIX = (0.15, 0.60, 0.20, 0.05)
CATEGORY_WEIGHT = {
    "infrastruktur": 25,
    "kesehatan": 10,
    "pendidikan": 8,
    "bantuan-sosial": 14,
    "adminduk": 10,
    "lingkungan": 7,
    "ketertiban": 5,
    "kebencanaan": 4,
    "pertanian": 6,
    "pemerintahan-desa": 4,
    "permintaan-informasi": 5,
    "lainnya": 2,
}
TITLES = {
    "infrastruktur": [
        "Jalan desa berlubang",
        "Jembatan bambu rapuh",
        "Saluran irigasi jebol",
        "Lampu penerangan jalan mati",
    ],
    "kesehatan": ["Posyandu kekurangan vaksin", "Puskesmas pembantu tutup", "Kasus demam berdarah"],
    "pendidikan": ["Atap ruang kelas SD bocor", "Guru honorer belum dibayar"],
    "bantuan-sosial": ["Warga lansia belum terima BLT", "Data PKH tidak sesuai"],
    "adminduk": ["KTP elektronik belum jadi", "Akta kelahiran salah nama"],
    "lingkungan": ["Sampah menumpuk di sungai", "Limbah tambang pasir"],
    "ketertiban": ["Balap liar tiap malam minggu", "Pedagang menutup trotoar"],
    "kebencanaan": ["Tanggul sungai retak", "Tebing longsor ke jalan"],
    "pertanian": ["Pupuk bersubsidi langka", "Serangan hama tikus"],
    "pemerintahan-desa": ["Papan APBDes tidak dipasang", "Pelayanan kantor desa tutup"],
    "permintaan-informasi": ["Jadwal pelayanan KTP keliling", "Syarat pengajuan bedah rumah"],
}
GENERIC_TITLES = ["Keluhan warga", "Usulan warga"]
DETAILS = [
    "Sudah dilaporkan ke perangkat desa tetapi belum ada tindak lanjut.",
    "Kondisi ini sudah berlangsung lebih dari satu bulan.",
    "Warga berharap segera ditangani sebelum musim hujan.",
    "Mohon dicek langsung ke lokasi oleh petugas.",
    "Banyak warga dusun yang terdampak.",
]
NAMES = [
    "Siti Aminah",
    "Budi Santoso",
    "Sri Wahyuni",
    "Ahmad Fauzi",
    "Dewi Lestari",
    "Agus Salim",
    "Nur Hidayati",
    "Eko Prasetyo",
    "Rina Marlina",
    "Slamet Riyadi",
    "Yuli Astuti",
    "Hadi Susanto",
    "Wati Kusuma",
    "Joko Widodo",
    "Lilik Suryani",
    "Imam Syafii",
]
RESPONSE = "Telah ditindaklanjuti oleh tim lapangan."
REJECTION = "Bukan aspirasi: promosi usaha."
OFFICER_ROLES = {
    "forum": (("forum_officer", 2), ("forum_coordinator", 1)),
    "opd": (("opd_officer", 2), ("opd_head", 1)),
    "supervisor": (("supervisor", 1),),
}
SECRET_POOL = 1024  # distinct encrypted phone numbers and NIKs the cases draw from
REMIND_MARGIN = timedelta(hours=6)  # the first step of an open task falls this far ahead at least
