"""The group's side: after the bank refused a transfer, the ketua gives a working account. It is a
correction proposal (``corrections.services``): an officer confirms it, and only then does the account
change and the tahap go back in the queue for the next batch."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.views import group_required
from corrections import services
from corrections.forms import BankAccountForm
from corrections.models import Correction
from disbursements.services import failed_transfers
from groups.models import Group


@group_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_fix(request: HttpRequest, group: Group) -> HttpResponse:
    failed = failed_transfers(group)
    if not failed:
        messages.info(request, _("Tidak ada pembayaran yang gagal; rekening tidak perlu diubah."))
        return redirect("groups:home")
    pending = Correction.objects.open().filter(group=group, kind=Correction.Kind.BANK_ACCOUNT).first()
    initial = {"bank": group.bank_id, "account_number": group.account_number, "account_holder": group.account_holder}
    form = BankAccountForm(request.POST if request.method == "POST" else None, initial=initial)
    if pending is None and request.method == "POST" and form.is_valid():
        reasons = "; ".join(f"{_('tahap')} {failure.tranche.number}: {failure.reason}" for failure in failed)
        try:
            services.correction_propose_bank_account(
                group=group,
                by=request.user,
                bank_id=form.cleaned_data["bank"].pk,
                account_number=form.cleaned_data["account_number"],
                account_holder=form.cleaned_data["account_holder"],
                reason=_("Diajukan kelompok setelah transfer ditolak bank (%(reasons)s).") % {"reasons": reasons},
            )
        except (ValidationError, PermissionDenied) as error:
            _apply_errors(form, error)
        else:
            numbers = ", ".join(str(failure.tranche.number) for failure in failed)
            messages.success(
                request,
                _(
                    "Rekening baru dikirim untuk diperiksa petugas. Setelah petugas mengonfirmasi, tahap "
                    "%(numbers)s dibayar ulang pada batch berikutnya."
                )
                % {"numbers": numbers},
            )
            return redirect("applications:detail", pk=failed[0].tranche.application_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "failed": failed, "pending": pending}
    return render(request, "corrections/bank_account_fix.html", context, status=status)


def _apply_errors(form: BankAccountForm, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error))
