"""A ketua's application journey in the portal: pick an open scheme, fill in the proposal, submit,
fix what the verifier sends back, and follow the status."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationDocument
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    PadatKaryaSchemeFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    add_members,
)

pytestmark = pytest.mark.django_db
Status = Application.Status
TODAY = datetime.date(2020, 10, 3)


@pytest.fixture(autouse=True)
def _today_inside_the_2020_window(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def _no_mail_marks_left_from_other_tests():
    # Status-change ids are reused after a rolled-back test on SQLite; the "sent" marks must not be.
    cache.clear()


@pytest.fixture
def group(applicant):
    """Siti's kelompok, 20 members with a ketua, sekretaris and bendahara, bank account filled in."""
    group = GroupFactory(user=applicant, name="Kelompok Maju Jaya")
    add_members(group, 20)
    return group


@pytest.fixture
def siti(client, applicant, group):
    client.force_login(applicant)
    return client


@pytest.fixture
def tkm():
    return SchemeFactory(name="TKM 2020", equipment_percent=60)


@pytest.fixture
def draft(group, tkm, applicant):
    return services.application_create(group=group, scheme=tkm, by=applicant)


def _upload_required_documents(application: Application) -> None:
    for kind in services.REQUIRED_DOCUMENTS["PK" if application.scheme.is_padat_karya else "TKM"]:
        ApplicationDocument.objects.create(
            application=application,
            kind=kind,
            file=f"documents/{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=100,
        )


def _complete(application: Application) -> Application:
    Application.objects.filter(pk=application.pk).update(
        business_type="Konveksi",
        business_plan="Menjahit seragam sekolah.",
        equipment_budget=24_000_000,
        materials_budget=16_000_000,
    )
    _upload_required_documents(application)
    application.refresh_from_db()
    return application


TKM_PROPOSAL = {
    "business_type": "Konveksi",
    "business_plan": "Menjahit seragam sekolah untuk tiga SD di desa.",
    "requested_amount": "Rp 40.000.000",
    "equipment_budget": "24.000.000",
    "materials_budget": "16000000",
}


# --- picking a scheme -------------------------------------------------------------------------------


def test_the_scheme_list_shows_only_schemes_open_today_for_the_groups_year(siti, tkm):
    PadatKaryaSchemeFactory(
        name="Padat Karya 2020 (tutup)",
        opens_on=datetime.date(2020, 1, 1),
        closes_on=TODAY - datetime.timedelta(days=1),
    )
    SchemeFactory(name="TKM 2021", year=2021, opens_on=datetime.date(2020, 10, 1), closes_on=datetime.date(2021, 3, 31))
    html = siti.get(reverse("applications:new")).content.decode()
    assert "TKM 2020" in html
    assert "Padat Karya 2020 (tutup)" not in html
    assert "TKM 2021" not in html


def test_a_scheme_is_shown_with_rupiah_members_duration_and_indonesian_dates(siti, tkm):
    html = siti.get(reverse("applications:new")).content.decode()
    assert "Rp40.000.000" in html
    assert "20 orang" in html
    assert "90 hari" in html
    assert "1 Juni 2020" in html and "31 Desember 2020" in html


def test_a_group_with_no_open_scheme_is_told_so(siti):
    assert "Belum ada skema bantuan tahun 2020" in siti.get(reverse("applications:new")).content.decode()


def test_choosing_a_scheme_creates_a_draft_with_a_human_reference(siti, group, tkm):
    response = siti.post(reverse("applications:new"), {"scheme": tkm.pk, "confirm": "1"})
    application = Application.objects.get(group=group)
    assert response.url == reverse("applications:edit", args=[application.pk])
    assert application.status == Status.DRAFT
    assert application.reference == "JPS-2020-TKM-32-000001"
    assert application.requested_amount == 40_000_000


def test_a_closed_scheme_cannot_be_chosen_by_posting_its_id(siti, group):
    closed = SchemeFactory(opens_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 2, 1))
    response = siti.post(reverse("applications:new"), {"scheme": closed.pk, "confirm": "1"})
    assert response.status_code == 200
    assert "tidak sedang dibuka" in response.content.decode()
    assert not Application.objects.exists()


def test_one_tap_on_a_scheme_asks_for_confirmation_before_a_draft_is_made(siti, group, tkm):
    response = siti.post(reverse("applications:new"), {"scheme": tkm.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "Buat draf pengajuan TKM 2020?" in page
    assert "Ya, buat draf pengajuan" in page and 'name="confirm" value="1"' in page
    assert not Application.objects.exists()


def test_a_scheme_that_does_not_fit_the_group_says_why(siti, group, tkm):
    SchemeQuotaFactory(scheme=tkm)
    padat_karya = PadatKaryaSchemeFactory(name="Padat Karya 2020")
    SchemeQuotaFactory(scheme=padat_karya)
    group.members.filter(pk__in=list(group.members.filter(role="anggota").values_list("pk", flat=True)[:10])).delete()
    page = siti.get(reverse("applications:new")).content.decode()
    assert "Jumlah anggota 10; skema ini mensyaratkan 30 orang." in page
    assert "Jumlah anggota 10; skema ini mensyaratkan 20 orang." in page  # TKM wants 20 too
    confirm = siti.post(reverse("applications:new"), {"scheme": padat_karya.pk}).content.decode()
    assert "Jumlah anggota 10; skema ini mensyaratkan 30 orang." in confirm and "belum sesuai" in confirm


def test_a_fitting_scheme_is_listed_first_and_said_to_fit(siti, group, tkm):
    SchemeQuotaFactory(scheme=tkm)
    SchemeQuotaFactory(scheme=PadatKaryaSchemeFactory(name="Padat Karya 2020"))
    page = siti.get(reverse("applications:new")).content.decode()
    assert page.index("TKM 2020") < page.index("Padat Karya 2020")
    assert "Sesuai dengan kelompok Anda." in page


def test_a_scheme_without_a_quota_for_the_groups_province_says_so(siti, group, tkm):
    SchemeQuotaFactory(scheme=tkm, province_id="33")
    assert "tidak punya kuota untuk provinsi kelompok Anda" in siti.get(reverse("applications:new")).content.decode()


def test_a_post_without_a_scheme_is_refused_without_an_error_page(siti, tkm):
    assert siti.post(reverse("applications:new"), {}).status_code == 200
    assert siti.post(reverse("applications:new"), {"scheme": "abc"}).status_code == 200
    assert not Application.objects.exists()


def test_a_group_with_a_live_application_is_sent_to_it(siti, draft):
    response = siti.get(reverse("applications:new"))
    assert response.url == reverse("applications:detail", args=[draft.pk])


def test_a_race_for_a_second_live_application_ends_in_a_message_not_an_error_page(siti, group, tkm, monkeypatch):
    """Two taps at once: both pass the "no live application" check; the database refuses the second."""
    first = ApplicationFactory(group=group, scheme=tkm)
    monkeypatch.setattr(services, "live_application_of", lambda group: None)

    def loses_the_race(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: application_one_live_per_group")

    monkeypatch.setattr(services, "application_create", loses_the_race)
    response = siti.post(reverse("applications:new"), {"scheme": tkm.pk, "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "sudah memiliki pengajuan yang masih berjalan" in response.content.decode()
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_user_without_a_group_is_asked_to_fill_in_the_group_profile_first(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("applications:new"))
    assert response.url == reverse("groups:profile")


def test_the_list_shows_the_groups_applications(siti, draft):
    html = siti.get(reverse("applications:list")).content.decode()
    assert draft.reference in html
    assert "Draf" in html


# --- the proposal ---------------------------------------------------------------------------------


def test_a_tkm_proposal_accepts_amounts_typed_the_way_people_write_them(siti, draft):
    response = siti.post(reverse("applications:edit", args=[draft.pk]), TKM_PROPOSAL)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.requested_amount, draft.equipment_budget, draft.materials_budget) == (
        40_000_000,
        24_000_000,
        16_000_000,
    )
    assert draft.business_type == "Konveksi"


def test_a_tkm_proposal_shows_the_schemes_equipment_split_as_guidance(siti, draft):
    html = siti.get(reverse("applications:edit", args=[draft.pk])).content.decode()
    assert "peralatan 60% (Rp24.000.000), bahan Rp16.000.000" in html


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("requested_amount", "empat puluh juta", "tanpa huruf"),
        ("requested_amount", "-40.000.000", "tidak boleh negatif"),
        ("requested_amount", "40.000.001", "paling banyak Rp40.000.000"),
        ("equipment_budget", "30.000.000", "harus sama dengan nilai yang diajukan"),
    ],
)
def test_a_tkm_proposal_with_wrong_numbers_is_refused_and_nothing_changes(siti, draft, field, typed, message):
    response = siti.post(reverse("applications:edit", args=[draft.pk]), {**TKM_PROPOSAL, field: typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    draft.refresh_from_db()
    assert (draft.business_type, draft.equipment_budget) == ("", 0)


def test_a_half_filled_tkm_draft_can_be_saved(siti, draft):
    response = siti.post(
        reverse("applications:edit", args=[draft.pk]), {"requested_amount": "40.000.000", "business_type": "Bengkel"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.business_type == "Bengkel"


def test_saving_and_continuing_leads_to_the_documents(siti, draft):
    response = siti.post(reverse("applications:edit", args=[draft.pk]), {**TKM_PROPOSAL, "continue": "1"})
    assert response.url == reverse("applications:documents", args=[draft.pk])


@pytest.fixture
def padat_karya(group, applicant):
    scheme = PadatKaryaSchemeFactory(name="Padat Karya Infrastruktur 2020")
    return services.application_create(group=group, scheme=scheme, by=applicant)


PK_PROPOSAL = {
    "work_site": "RT 02/RW 05 Desa Dayeuhkolot, jalan usaha tani",
    "work_plan": "Membangun jalan usaha tani 300 meter.",
    "requested_amount": "100.000.000",
    "planned_days": "15",
    "workers_pekerja": "27",
    "workers_tukang": "2",
    "workers_ketua": "1",
}


def test_a_padat_karya_proposal_derives_the_wage_budget_from_the_schemes_hok_rates(siti, padat_karya):
    response = siti.post(reverse("applications:edit", args=[padat_karya.pk]), PK_PROPOSAL)
    assert response.status_code == 302
    padat_karya.refresh_from_db()
    assert (padat_karya.planned_days, padat_karya.workers_pekerja) == (15, 27)
    # 27 × 15 × 100.000 + 2 × 15 × 120.000 + 1 × 15 × 150.000
    assert services.application_wage_budget(padat_karya) == 40_500_000 + 3_600_000 + 2_250_000
    html = siti.get(reverse("applications:edit", args=[padat_karya.pk])).content.decode()
    assert "Rp46.350.000" in html  # total wages
    assert "Rp53.650.000" in html  # left for materials and tools


def test_a_padat_karya_wage_budget_above_the_requested_amount_is_refused(siti, padat_karya):
    response = siti.post(
        reverse("applications:edit", args=[padat_karya.pk]), {**PK_PROPOSAL, "requested_amount": "40.000.000"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anggaran upah Rp46.350.000 melebihi nilai yang diajukan (Rp40.000.000)" in html
    padat_karya.refresh_from_db()
    assert padat_karya.planned_days is None


def test_padat_karya_days_beyond_the_schemes_duration_are_refused(siti, padat_karya):
    response = siti.post(reverse("applications:edit", args=[padat_karya.pk]), {**PK_PROPOSAL, "planned_days": "16"})
    assert response.status_code == 200
    padat_karya.refresh_from_db()
    assert padat_karya.planned_days is None


def test_the_proposal_cannot_be_changed_once_submitted(siti, draft, applicant):
    Application.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    response = siti.post(reverse("applications:edit", args=[draft.pk]), TKM_PROPOSAL)
    assert response.url == reverse("applications:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.business_type == ""


# --- submitting -------------------------------------------------------------------------------------


def test_submitting_an_incomplete_application_lists_every_problem_and_keeps_the_draft(siti, draft, group):
    group.members.filter(role="anggota").first().delete()
    response = siti.post(reverse("applications:submit", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jumlah anggota 19; skema ini mensyaratkan 20 orang." in html
    assert "Dokumen belum diunggah: Halaman buku tabungan." in html
    assert "Jenis usaha dan rencana usaha wajib diisi." in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_member_problem_names_the_member(siti, draft, group):
    _complete(draft)
    member = group.members.filter(role="anggota").first()
    member.birth_date = datetime.date(1950, 1, 1)
    member.nik = f"320412010150{member.nik[-4:]}"
    member.save()
    html = siti.post(reverse("applications:submit", args=[draft.pk])).content.decode()
    assert f"{member.name} ({member.nik}): usia 70 tahun" in html


def test_a_complete_application_is_submitted_and_the_group_gets_an_email(
    siti, draft, applicant, django_capture_on_commit_callbacks
):
    _complete(draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = siti.post(reverse("applications:submit", args=[draft.pk]))
    assert response.url == reverse("applications:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [applicant.email]
    assert email.subject == f"[Portal JPS] {draft.reference}: Diajukan"
    assert reverse("applications:detail", args=[draft.pk]) in email.body


def test_submitting_twice_is_harmless(siti, draft, django_capture_on_commit_callbacks):
    _complete(draft)
    siti.post(reverse("applications:submit", args=[draft.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = siti.post(reverse("applications:submit", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    assert "sudah berstatus “Diajukan”" in response.content.decode()
    assert draft.status_changes.filter(to_status=Status.SUBMITTED).count() == 1


def test_submit_answers_only_post(siti, draft):
    assert siti.get(reverse("applications:submit", args=[draft.pk])).status_code == 405


def test_a_draft_shows_what_is_still_missing(siti, draft):
    html = siti.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Kelengkapan pengajuan" in html
    assert "Dokumen belum diunggah: Proposal." in html
    assert 'class="done"' in html  # members and bank account are complete already


# --- revision and the status page -----------------------------------------------------------------


def test_a_revision_request_is_shown_prominently_and_the_group_resubmits(
    siti, draft, applicant, verifier, django_capture_on_commit_callbacks
):
    _complete(draft)
    services.application_submit(application=draft, by=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_revision(
            application=draft,
            by=verifier,
            reason_codes=["dokumen_tidak_terbaca"],
            note="Foto buku tabungan buram; unggah ulang.",
        )
    assert mail.outbox[-1].subject == f"[Portal JPS] {draft.reference}: Perlu perbaikan"
    assert "Foto buku tabungan buram; unggah ulang." in mail.outbox[-1].body

    html = siti.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Yang perlu diperbaiki" in html
    assert "Foto buku tabungan buram; unggah ulang." in html
    assert reverse("applications:documents", args=[draft.pk]) in html
    assert reverse("groups:members") in html
    assert "Ajukan kembali" in html

    siti.post(reverse("applications:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert list(draft.status_changes.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "revision_requested",
        "submitted",
    ]


def test_the_timeline_shows_every_change_in_indonesian_with_the_officers_reason(siti, draft, applicant, verifier):
    _complete(draft)
    services.application_submit(application=draft, by=applicant)
    services.application_reject(
        application=draft, by=verifier, reason_code="kuota_penuh", note="Kuota kabupaten habis."
    )
    rejected = draft.status_changes.get(to_status=Status.REJECTED)
    rejected.changed_at = datetime.datetime(2020, 10, 2, 7, 30, tzinfo=datetime.UTC)
    rejected.save()
    html = siti.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Draf dibuat" in html
    assert "Diajukan" in html
    assert "Ditolak" in html
    assert "2 Oktober 2020, 14.30 WIB" in html
    assert "Kuota atau pagu anggaran habis" in html  # the reason as words, not its code
    assert "kuota_penuh" not in html
    assert "Kuota kabupaten habis." in html


def test_tranches_are_shown_once_there_are_some(siti, draft, applicant, verifier, approver):
    html = siti.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Tahap penyaluran" not in html
    _complete(draft)
    services.application_submit(application=draft, by=applicant)
    services.group_checks_run(group_id=draft.group_id)  # the background checks have run
    services.application_verify(application=draft, by=verifier)
    SchemeQuotaFactory(scheme=draft.scheme, groups=1)
    services.application_approve(application=draft, by=approver)
    # The approval created tahap 1 (disbursements.services.tranches_create_for_approval).
    html = siti.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "Tahap penyaluran" in html
    assert "Rp40.000.000" in html
    assert "Terjadwal" in html


# --- status e-mails ---------------------------------------------------------------------------------


def test_every_officer_decision_emails_the_group(
    draft, applicant, verifier, approver, django_capture_on_commit_callbacks
):
    _complete(draft)
    SchemeQuotaFactory(scheme=draft.scheme, groups=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft, by=applicant)
    with django_capture_on_commit_callbacks(execute=True):  # the integrity checks ran at the first commit
        services.application_verify(application=draft, by=verifier, note="Data lengkap.")
        services.application_approve(application=draft, by=approver)
    assert [email.subject.rsplit(": ", 1)[1] for email in mail.outbox] == ["Diajukan", "Terverifikasi", "Disetujui"]
    assert "Data lengkap." in mail.outbox[1].body


def test_the_status_email_is_sent_once_however_often_the_task_runs(
    draft, applicant, django_capture_on_commit_callbacks
):
    from applications.tasks import send_status_email

    _complete(draft)
    change = services.application_submit(application=draft, by=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_status_email(change.pk) is True
        assert send_status_email(change.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("http://127.0.0.1:8000/pengajuan/") == 1  # an absolute link


def test_a_failed_send_stays_in_the_outbox_and_is_retried(
    draft, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    from applications.tasks import send_status_email
    from notifications.models import Message
    from notifications.services import message_deliver

    _complete(draft)
    change = services.application_submit(application=draft, by=applicant)
    send = EmailMessage.send

    def smtp_down(message, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_status_email(change.pk) is True  # queued in the outbox; the delivery failed
    message = Message.objects.get(template="application_status_changed")
    assert (message.status, message.attempts) == ("pending", 1) and mail.outbox == []

    monkeypatch.setattr(EmailMessage, "send", send)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
    assert message_deliver(message_id=message.pk) is True
    assert len(mail.outbox) == 1


def test_a_group_without_an_email_address_gets_no_email(draft, applicant):
    from applications.tasks import send_status_email

    _complete(draft)
    change = services.application_submit(application=draft, by=applicant)
    applicant.email = ""
    applicant.save()
    assert send_status_email(change.pk) is False
    assert mail.outbox == []


def test_a_phone_only_account_hears_about_its_status_by_sms(draft, applicant, django_capture_on_commit_callbacks):
    from applications.tasks import send_status_email
    from notifications import sms

    _complete(draft)
    change = services.application_submit(application=draft, by=applicant)
    applicant.email, applicant.phone = "", "081234567890"
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_status_email(change.pk) is True
    [text] = sms.outbox
    assert text.to == "+6281234567890" and mail.outbox == []
    assert draft.reference in text.body and "Diajukan" in text.body
    assert f"http://127.0.0.1:8000/pengajuan/{draft.pk}/" in text.body
