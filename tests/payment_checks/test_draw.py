"""After a batch is reconciled its verification sample is drawn once, per province, by the plan."""

import pytest
from django.db.models import Count

from grievances.models import Ticket
from notifications.models import Message
from payment_checks import services
from payment_checks.models import DrawStratum, Respondent, SampledPayment, VerificationDraw
from payment_checks.sampling import cochran_sample_size
from payment_checks.tasks import draw_sample

pytestmark = pytest.mark.django_db


def test_a_reconciled_batch_gets_a_sample_per_province_sized_by_the_plan(small_plan, reconciled_batch):
    batch = reconciled_batch({"32.04": 7, "36.01": 3})
    draw = VerificationDraw.objects.get(batch=batch)
    strata = dict(DrawStratum.objects.filter(draw=draw).values_list("province_id", "sample_size"))
    expected = {
        "32": cochran_sample_size(7, confidence_level=0.95, margin_of_error=0.5, minimum=2),
        "36": cochran_sample_size(3, confidence_level=0.95, margin_of_error=0.5, minimum=2),
    }
    assert strata == expected == {"32": 3, "36": 2}
    drawn = dict(SampledPayment.objects.filter(draw=draw).values_list("province_id").annotate(n=Count("pk")).order_by())
    assert drawn == expected
    assert draw.population == 10 and draw.sample_size == 5
    # Only paid tranches of this batch, each in its own group's province.
    for sample in SampledPayment.objects.filter(draw=draw).select_related("tranche", "group__regency"):
        assert sample.tranche.status == "paid"
        assert sample.province_id == sample.group.regency.province_id
        assert sample.amount == sample.tranche.amount


def test_the_ketua_and_the_bendahara_of_each_sampled_group_get_one_sms_link(small_plan, reconciled_batch):
    batch = reconciled_batch({"32.04": 4})
    samples = SampledPayment.objects.filter(draw__batch=batch)
    assert Respondent.objects.filter(sample__in=samples).count() == 2 * samples.count()
    assert set(Respondent.objects.values_list("role", flat=True)) == {"ketua", "bendahara"}
    invites = Message.objects.filter(template="payment_check_invite")
    assert invites.count() == 2 * samples.count()
    sms = invites.first()
    assert sms.channel == "sms" and "/cek-bantuan/" in sms.context["url"]
    assert sms.context["url"].startswith("http")


def test_drawing_again_draws_nothing_new(small_plan, reconciled_batch, django_capture_on_commit_callbacks):
    batch = reconciled_batch({"32.04": 5})
    before = sorted(SampledPayment.objects.values_list("tranche_id", flat=True))
    messages = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        draw_sample.delay(batch.pk)
        services.verification_draw(batch_id=batch.pk)
        services.draw_invite(draw_id=VerificationDraw.objects.get().pk)
    assert VerificationDraw.objects.count() == 1
    assert sorted(SampledPayment.objects.values_list("tranche_id", flat=True)) == before
    assert Message.objects.count() == messages


def test_a_batch_not_yet_reconciled_is_not_drawn(finance, approve):
    from disbursements import services as disbursement_services
    from disbursements.models import Tranche

    approve()
    batch = disbursement_services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    assert services.verification_draw(batch_id=batch.pk) is None
    assert not VerificationDraw.objects.exists()


def test_the_group_phone_stands_in_when_the_group_has_no_bendahara_with_a_phone(small_plan, reconciled_batch):
    from groups.models import Member

    batch = reconciled_batch({"32.04": 2})
    # Draw again on a copy of the situation: remove the draw and the bendahara's phone first.
    VerificationDraw.objects.filter(batch=batch).delete()
    Member.objects.filter(role=Member.Role.BENDAHARA).update(phone="")
    draw = services.verification_draw(batch_id=batch.pk)
    roles = sorted(Respondent.objects.filter(sample__draw=draw).values_list("role", flat=True))
    assert roles == ["group_phone", "group_phone", "ketua", "ketua"]


def test_non_responders_go_to_the_follow_up_list_after_the_plans_days(small_plan, reconciled_batch):
    import datetime

    from django.utils import timezone

    batch = reconciled_batch({"32.04": 3})
    draw = VerificationDraw.objects.get(batch=batch)
    assert services.samples_move_to_follow_up(now=timezone.now() + datetime.timedelta(days=6)) == 0
    moved = services.samples_move_to_follow_up(now=timezone.now() + datetime.timedelta(days=8))
    assert moved == draw.sample_size
    assert set(SampledPayment.objects.values_list("status", flat=True)) == {"follow_up"}
    assert services.samples_move_to_follow_up(now=timezone.now() + datetime.timedelta(days=9)) == 0
    assert not Ticket.objects.exists()
