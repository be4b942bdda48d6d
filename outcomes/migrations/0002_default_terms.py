"""Every existing scheme gets monitoring terms: rounds at 3, 6 and 12 months after the first payment,
and starting inclusion targets for the officers to correct in the admin (women 30%; people with
disability 2%, the quota UU 8/2016 Pasal 53 sets for government employers)."""

from decimal import Decimal

from django.db import migrations


def add_terms(apps, schema_editor):  # noqa: ANN001, ANN201
    Scheme = apps.get_model("applications", "Scheme")
    OutcomeTerms = apps.get_model("outcomes", "OutcomeTerms")
    have = set(OutcomeTerms.objects.values_list("scheme_id", flat=True))
    OutcomeTerms.objects.bulk_create(
        OutcomeTerms(
            scheme_id=pk, round_months="3, 6, 12", women_target_percent=Decimal("30"),
            disability_target_percent=Decimal("2"),
        )
        for pk in Scheme.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
