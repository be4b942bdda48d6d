import pytest
from django.utils import timezone

from jps_portal.bulk_history import bulk_insert_with_history
from outcomes.models import OutcomeTerms
from tests.factories import PadatKaryaSchemeFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rows_and_their_history_rows_are_written_with_the_actor():
    officer = UserFactory(username="panitia")
    schemes = [SchemeFactory(), PadatKaryaSchemeFactory()]
    OutcomeTerms.objects.filter(scheme__in=schemes).delete()
    now = timezone.now()
    rows = [OutcomeTerms(scheme=s, round_months="6, 12", women_target_percent=30) for s in schemes]
    saved = bulk_insert_with_history(rows, OutcomeTerms, by=officer, now=now)
    assert all(row.pk for row in saved)
    stored = set(OutcomeTerms.objects.filter(pk__in=[r.pk for r in saved]).values_list("scheme_id", "round_months"))
    assert stored == {(s.pk, "6, 12") for s in schemes}
    history = OutcomeTerms.history.filter(id__in=[r.pk for r in saved])
    assert {(h.id, h.history_type, h.history_user_id, h.history_date) for h in history} == {
        (r.pk, "+", officer.pk, now) for r in saved
    }


def test_nothing_to_write_writes_nothing():
    assert bulk_insert_with_history([], OutcomeTerms, by=None, now=timezone.now()) == []
