"""Load the shipped bank list (groups/data/banks.csv)."""

import csv
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "banks.csv"


def load(apps, schema_editor):
    bank = apps.get_model("groups", "Bank")
    with open(DATA_FILE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            bank.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "is_himbara": row["himbara"] == "yes", "note": row["note"]},
            )


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
