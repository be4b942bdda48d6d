"""The categories of the launch (editable afterwards in the admin)."""

from django.db import migrations

CATEGORIES = [
    # code, name, description, sensitive, about a group, upheld blocks, SLA working days
    ("kelompok-fiktif", "Kelompok fiktif", "Kelompok ini tidak ada atau tidak berkegiatan.", False, True, True, 10),
    (
        "anggota-tidak-layak",
        "Anggota tidak layak atau terdaftar ganda",
        "Anggota bukan penganggur/korban PHK, atau terdaftar di kelompok lain.",
        False,
        True,
        True,
        10,
    ),
    ("pembayaran", "Bantuan tidak diterima / jumlah tidak sesuai", "", False, False, False, 5),
    ("pungli", "Petugas meminta uang (pungli)", "Dibaca hanya oleh tim integritas pusat.", True, False, False, 10),
    ("perilaku-petugas", "Pelanggaran oleh petugas", "Dibaca hanya oleh tim integritas pusat.", True, False, False, 10),
    ("koreksi-data", "Koreksi data", "", False, False, False, 10),
    ("lainnya", "Lainnya", "", False, False, False, 14),
]


def load(apps, schema_editor):
    Category = apps.get_model("grievances", "Category")
    for position, (code, name, description, sensitive, about_group, blocks, sla) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "is_sensitive": sensitive,
                "about_group": about_group,
                "blocks_when_upheld": blocks,
                "sla_working_days": sla,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("grievances", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
