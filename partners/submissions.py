"""A partner's complete submission: the same parsing (``applications.forms.complete_submission_parse``)
and the same service (``applications.services.application_submit_complete``) as the portal's
``POST /pengajuan/lengkap/``, on behalf of a ketua's existing account, inside the client's region.

The partner names the ketua's account (``applicant``: username, phone or e-mail, as the ketua logs in);
the group, its application and their history are the ketua's, exactly as if the ketua had sent it,
and the ``ApiCall`` row says which client sent it."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.services import login_normalise, user_login_candidate
from applications import services as application_services
from applications.forms import complete_submission_parse
from groups import services as group_services
from regions.scope import RegionScope


class SubmissionRefusedError(Exception):
    """Every problem found, keyed like the portal path's answer (``scheme``, ``group``, ``members``…)."""

    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__(errors)
        self.errors = errors


class OutsideRegionError(Exception):
    """The group's regency is outside the client's region scope."""


def applicant_account(login: object) -> AbstractBaseUser | None:
    """The active ketua account ``login`` names, or None (a staff account is never one)."""
    if not isinstance(login, str) or not login.strip():
        return None
    user = user_login_candidate(login=login_normalise(login=login))
    if user is None or not user.is_active or not user.groups.filter(name=Role.GROUP).exists():
        return None
    return user


def partner_submission_create(
    *, scope: RegionScope, payload: dict, documents: dict[str, UploadedFile]
) -> application_services.CompleteSubmission:
    """Submit ``payload`` for the ketua it names, if the group's regency is in ``scope``."""
    ketua = applicant_account(payload.get("applicant"))
    parsed = complete_submission_parse(payload, documents)
    errors = dict(parsed.get("errors", {}))
    if ketua is None:
        errors["applicant"] = [_("Akun ketua kelompok tidak ditemukan atau tidak aktif.")]
    if errors:
        raise SubmissionRefusedError(errors)
    regency = parsed["group_fields"]["regency"]
    if not scope.covers(province_code=regency.province_id, regency_code=regency.code):
        raise OutsideRegionError
    try:
        result = application_services.application_submit_complete(by=ketua, **parsed)
    except application_services.ApplicationRuleError as error:
        raise SubmissionRefusedError({"submission": error.messages}) from error
    except group_services.MemberRowError as error:
        raise SubmissionRefusedError({"members": {str(error.row): error.message_dict}}) from error
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"submission": error.messages}
        raise SubmissionRefusedError(errors) from error
    # The ketua's application found instead (created=False) may lie elsewhere than this payload says:
    # outside the client's region, even its reference is not the client's to read.
    existing = result.application
    if not scope.covers(province_code=existing.province_id, regency_code=existing.group.regency_id):
        raise OutsideRegionError
    return result
