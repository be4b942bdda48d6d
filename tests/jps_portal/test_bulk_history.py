import pytest
from django.utils import timezone

from jps_portal.bulk_history import insert_rows_with_history
from outcomes.models import OutcomeTerms
from tests.factories import PadatKaryaSchemeFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db
COLUMNS = ["scheme_id", "round_months", "women_target_percent", "disability_target_percent"]


def test_rows_and_their_history_rows_are_written_with_the_actor():
    officer = UserFactory(username="panitia")
    schemes = [SchemeFactory(), PadatKaryaSchemeFactory()]
    OutcomeTerms.objects.filter(scheme__in=schemes).delete()
    now = timezone.now()
    ids = insert_rows_with_history(
        OutcomeTerms, COLUMNS, [(s.pk, f"{n}, 12", 30, 2) for n, s in enumerate(schemes, start=3)], by=officer, now=now
    )
    stored = dict(OutcomeTerms.objects.filter(pk__in=ids).values_list("pk", "round_months"))
    assert stored == {ids[0]: "3, 12", ids[1]: "4, 12"}  # ids in the order of the rows
    history = OutcomeTerms.history.filter(id__in=ids)
    assert {(h.id, h.round_months, h.history_type, h.history_user_id, h.history_date) for h in history} == {
        (ids[0], "3, 12", "+", officer.pk, now),
        (ids[1], "4, 12", "+", officer.pk, now),
    }


def test_every_field_must_be_given():
    with pytest.raises(ValueError, match="every field"):
        insert_rows_with_history(OutcomeTerms, ["scheme_id"], [(1,)], by=None, now=timezone.now())


def test_nothing_to_write_writes_nothing():
    assert insert_rows_with_history(OutcomeTerms, COLUMNS, [], by=None, now=timezone.now()) == []
