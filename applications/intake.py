"""The queued path for complete applications: take a surge in at the speed of one insert per
request, and do the real work — forms, group, members, application, documents, submit — in a
Celery task (``process_submission_intake``), the same work ``POST /pengajuan/lengkap/`` does at once.

Receiving checks only what is cheap and must be right at once (the shape of the data, the content
of each document); everything else is checked when processed, and a refused intake keeps its
problems for the ketua to read and send again."""

import datetime
from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services
from applications.forms import COMPLETE_SUBMISSION_DOCUMENTS, complete_submission_parse
from applications.models import SubmissionIntake, SubmissionIntakeDocument
from applications.uploads import upload_content_type
from groups import services as group_services
from jps_portal.celery import enqueue_on_commit

Status = SubmissionIntake.Status
MAX_MEMBERS = 200


def intake_receive(
    *, by: AbstractBaseUser, payload: object, files: dict[str, UploadedFile]
) -> tuple[SubmissionIntake, bool]:
    """Queue ``payload`` and its documents for ``by``. Returns the intake and whether this call
    queued it; a retry or a double tap gets the intake already queued (``False``)."""
    _check_shape(payload)
    documents = _read_documents(files)
    try:
        # Insert first: the common case (a first submission) costs one statement, and the unique
        # user column turns a retry or a double tap into the IntegrityError below.
        with transaction.atomic():
            intake = SubmissionIntake.objects.create(user=by, payload=payload, received_at=timezone.now())
            _attach(intake, documents)
    except IntegrityError:
        return _requeue_refused(by=by, payload=payload, documents=documents)
    return intake, True


def _requeue_refused(
    *, by: AbstractBaseUser, payload: dict, documents: list[SubmissionIntakeDocument]
) -> tuple[SubmissionIntake, bool]:
    """A refused intake sent again, corrected, goes back in the queue in place; any other is kept."""
    with transaction.atomic():
        existing = SubmissionIntake.objects.select_for_update().get(user=by)
        if existing.status != Status.REFUSED:
            return existing, False
        existing.payload, existing.status, existing.errors = payload, Status.RECEIVED, {}
        existing.received_at, existing.processed_at, existing.enqueue_failed = timezone.now(), None, False
        existing.save(update_fields=["payload", "status", "errors", "received_at", "processed_at", "enqueue_failed"])
        existing.files.all().delete()
        _attach(existing, documents)
    return existing, True


def _attach(intake: SubmissionIntake, documents: list[SubmissionIntakeDocument]) -> None:
    from applications.tasks import process_submission_intake

    for document in documents:
        document.intake = intake
    SubmissionIntakeDocument.objects.bulk_create(documents)
    enqueue_on_commit(process_submission_intake, intake.pk, on_failure=_enqueue_failed(intake.pk))


def _enqueue_failed(intake_id: int) -> Callable[[], None]:
    """The broker did not take the intake's task: mark it, so the next sweep sends it at once."""

    def mark() -> None:
        SubmissionIntake.objects.filter(pk=intake_id, status=Status.RECEIVED).update(enqueue_failed=True)

    return mark


def _check_shape(payload: object) -> None:
    problems = []
    if not isinstance(payload, dict):
        raise ValidationError({"data": [_("Bagian 'data' harus berisi objek JSON.")]})
    if not isinstance(payload.get("scheme"), int):
        problems.append(("scheme", _("Pilih skema (nomor skema).")))
    if not isinstance(payload.get("group"), dict):
        problems.append(("group", _("Data kelompok belum diisi.")))
    members = payload.get("members")
    if not isinstance(members, list) or not members or len(members) > MAX_MEMBERS:
        problems.append(("members", _("Daftar anggota harus berisi 1–%(max)d orang.") % {"max": MAX_MEMBERS}))
    if not isinstance(payload.get("proposal"), dict):
        problems.append(("proposal", _("Proposal belum diisi.")))
    if problems:
        raise ValidationError({field: [message] for field, message in problems})


def _read_documents(files: dict[str, UploadedFile]) -> list[SubmissionIntakeDocument]:
    """Each document checked by its content (type and size) and read into a row to insert."""
    documents: list[SubmissionIntakeDocument] = []
    errors: dict[str, list[str]] = {}
    for kind in COMPLETE_SUBMISSION_DOCUMENTS:
        if kind not in files:
            continue
        try:
            upload_content_type(files[kind])
        except ValidationError as error:
            errors[kind] = error.messages
            continue
        files[kind].seek(0)
        content = files[kind].read()
        documents.append(SubmissionIntakeDocument(kind=kind, name=(files[kind].name or kind)[:255], content=content))
    if errors:
        raise ValidationError(errors)
    return documents


def intake_process(*, intake_id: int) -> str:
    """Process one queued intake. Idempotent: a processed intake is left alone, and processing the
    same intake twice at once ends with one application (``application_submit_complete`` finds
    the first one's). Returns the intake's status."""
    intake = SubmissionIntake.objects.select_related("user").filter(pk=intake_id).first()
    if intake is None or intake.status != Status.RECEIVED:
        return intake.status if intake else ""
    files = {doc.kind: ContentFile(bytes(doc.content), name=doc.name) for doc in intake.files.all()}
    try:
        parsed = complete_submission_parse(intake.payload, files)
        if "errors" in parsed:
            return _refuse(intake, parsed["errors"])
        result = services.application_submit_complete(by=intake.user, **parsed)
    except services.ApplicationRuleError as error:
        return _refuse(intake, {"submission": error.messages})
    except group_services.MemberRowError as error:
        return _refuse(intake, {"members": {str(error.row): error.message_dict}})
    except ValidationError as error:
        return _refuse(intake, error.message_dict if hasattr(error, "error_dict") else {"submission": error.messages})
    SubmissionIntake.objects.filter(pk=intake.pk, status=Status.RECEIVED).update(
        status=Status.SUBMITTED, application=result.application, processed_at=timezone.now()
    )
    intake.files.all().delete()  # the application has its own copies now
    return Status.SUBMITTED


def _refuse(intake: SubmissionIntake, errors: dict) -> str:
    SubmissionIntake.objects.filter(pk=intake.pk, status=Status.RECEIVED).update(
        status=Status.REFUSED, errors=errors, processed_at=timezone.now()
    )
    return Status.REFUSED


def intakes_waiting_sweep(*, older_than: datetime.timedelta, limit: int = 5000) -> list[int]:
    """Re-enqueue intakes still waiting after ``older_than`` (the broker lost them, or a worker), and
    at once those whose task never reached the broker (``enqueue_failed``: received while Redis was
    down). The mark is cleared as they are sent; a send that fails again marks them again."""
    from applications.tasks import process_submission_intake

    cutoff = timezone.now() - older_than
    with transaction.atomic():
        waiting = list(
            SubmissionIntake.objects.filter(status=Status.RECEIVED)
            .filter(Q(enqueue_failed=True) | Q(received_at__lt=cutoff))
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        SubmissionIntake.objects.filter(pk__in=waiting, enqueue_failed=True).update(enqueue_failed=False)
        for intake_id in waiting:
            enqueue_on_commit(process_submission_intake, intake_id, on_failure=_enqueue_failed(intake_id))
    return waiting
