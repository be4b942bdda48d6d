"""The visit checklist each programme starts with (data: officers edit or extend it in the admin)."""

from django.db import migrations

ITEMS = {
    "TKM": [
        ("equipment_in_use", "Peralatan bantuan dipakai untuk usaha", "yes_no", ""),
        ("equipment_state", "Keadaan peralatan", "choice", "baik|Baik\nrusak_ringan|Rusak ringan\nrusak_berat|Rusak berat\ntidak_ada|Tidak ditemukan"),
        ("bookkeeping", "Pembukuan (kas masuk/keluar) dicatat", "yes_no", ""),
        ("sales_channels", "Saluran penjualan", "choice", "langsung|Langsung / warung\npasar|Pasar / toko\ndaring|Daring (marketplace / media sosial)\nlangsung_daring|Langsung dan daring\nbelum|Belum menjual"),
    ],
    "PK_PRODUKTIF": [
        ("works_progress", "Kemajuan pekerjaan", "choice", "0_25|0–25%\n26_50|26–50%\n51_75|51–75%\n76_100|76–100%\nselesai|Selesai"),
        ("attendance_matches_hok", "Daftar hadir sesuai HOK yang dilaporkan", "yes_no", ""),
        ("facility_in_use", "Sarana dimanfaatkan", "yes_no", ""),
    ],
    "PK_INFRASTRUKTUR": [
        ("works_progress", "Kemajuan pekerjaan", "choice", "0_25|0–25%\n26_50|26–50%\n51_75|51–75%\n76_100|76–100%\nselesai|Selesai"),
        ("attendance_matches_hok", "Daftar hadir sesuai HOK yang dilaporkan", "yes_no", ""),
        ("facility_in_use", "Sarana dimanfaatkan", "yes_no", ""),
    ],
}


def add_items(apps, schema_editor):
    ChecklistItem = apps.get_model("mentoring", "ChecklistItem")
    for programme, items in ITEMS.items():
        for order, (code, label, kind, options) in enumerate(items, start=1):
            ChecklistItem.objects.get_or_create(
                programme=programme, code=code,
                defaults={"label": label, "kind": kind, "options": options, "order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]
    operations = [migrations.RunPython(add_items, migrations.RunPython.noop)]
