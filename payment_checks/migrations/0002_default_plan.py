"""The plan of the launch: 95 % confidence, ±5 %, p = 0.5, at least 10 per province (editable after)."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    SamplingPlan = apps.get_model("payment_checks", "SamplingPlan")
    if not SamplingPlan.objects.filter(is_active=True).exists():
        SamplingPlan.objects.create(
            name="Standar nasional (95% ± 5%)",
            confidence_level=Decimal("0.95"),
            margin_of_error=Decimal("0.05"),
            expected_proportion=Decimal("0.5"),
            minimum_per_province=10,
            follow_up_after_days=7,
            link_valid_days=30,
            is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("payment_checks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
