"""Load the 2020 and current Kemendagri editions and the 2022 Papua recode map from regions/data/."""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    by_level = {"province": {}, "regency": {}, "district": {}}
    for edition in ("2020", "current"):
        for row in _rows(f"regions_{edition}.csv"):
            entry = by_level[row["level"]].setdefault(row["code"], {"in_2020": False, "in_current": False})
            if edition == "2020":
                entry["in_2020"] = True
                entry["name_2020"] = row["name"]
            else:
                entry["in_current"] = True
                entry["name"] = row["name"]
    models = {level: apps.get_model("regions", level.title()) for level in by_level}
    for level, entries in by_level.items():
        rows = []
        for code, entry in entries.items():
            extra = {}
            if level == "regency":
                extra["province_id"] = code[:2]
            elif level == "district":
                extra["regency_id"] = code[:5]
            rows.append(
                models[level](
                    code=code,
                    name=entry.get("name") or entry["name_2020"],
                    name_2020=entry.get("name_2020", ""),
                    in_2020=entry["in_2020"],
                    in_current=entry["in_current"],
                    **extra,
                )
            )
        models[level].objects.bulk_create(rows, batch_size=1000)
    recode = apps.get_model("regions", "RegencyRecode")
    recode.objects.bulk_create(
        recode(old_regency_id=row["old_code"], new_regency_id=row["new_code"], year=2022)
        for row in _rows("papua_recode_2022.csv")
    )


def unload(apps, schema_editor):
    for name in ("RegencyRecode", "District", "Regency", "Province"):
        apps.get_model("regions", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
