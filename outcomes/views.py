"""The monitoring pages (phone first): the ketua's list of their group's rounds (/hasil-usaha/) and the
round form, which the group's mentor also opens from the work list. A failed submit keeps what was
typed (server-side draft); the same form submitted twice records once. Anyone else gets 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import TransitionError
from mentoring import services as mentoring
from outcomes import services
from outcomes.forms import RoundForm
from outcomes.models import MonitoringRound


@login_required
def my_rounds(request: HttpRequest) -> HttpResponse:
    rounds = list(services.rounds_of_group_user(request.user).select_related("group").order_by("due_on", "pk"))
    if not rounds and mentoring.is_mentor(request.user):
        return redirect("mentoring:worklist")
    return render(
        request,
        "outcomes/round_list.html",
        {"rounds": rounds, "today": timezone.localdate(), "early_days": services.REPORT_EARLY_DAYS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, round_id: int) -> HttpResponse:
    found = services.round_for_user_or_404(request.user, round_id)
    done_url = "mentoring:worklist" if mentoring.is_mentor(request.user) else "outcomes:mine"
    draft, jump = None, False
    if found.status == MonitoringRound.Status.REPORTED and request.method == "GET":
        return render(request, "outcomes/round_form.html", {"round": found, "form": None, "done_url": done_url})
    if request.method == "POST":
        form = RoundForm(request.POST, round_=found)
        if form.is_valid():
            try:
                outcome = services.round_report(
                    round_=found, by=request.user, token=form.cleaned_data["token"], answers=form.answers(),
                    confirm_jump=form.cleaned_data["confirm_jump"],
                )  # fmt: skip
            except PermissionDenied:
                raise
            except services.RevenueJumpError as error:
                jump = True
                form.add_error("monthly_revenue", error)
            except (ValidationError, TransitionError) as error:
                form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            else:
                if outcome.created:
                    messages.success(request, _("Laporan pemantauan tersimpan. Terima kasih."))
                else:
                    messages.info(request, _("Laporan ini sudah tersimpan sebelumnya; tidak dicatat dua kali."))
                return redirect(done_url)
        services.draft_save(user=request.user, round_=found, data=request.POST.dict())
        messages.warning(request, _("Laporan belum tersimpan. Isian Anda disimpan sebagai draf."))
    else:
        draft = services.draft_of(user=request.user, round_=found)
        initial = dict(draft) if draft else {}
        initial.setdefault("token", uuid.uuid4())
        form = RoundForm(initial=initial, round_=found)
    previous = services.previous_report(found)
    return render(
        request,
        "outcomes/round_form.html",
        {"round": found, "form": form, "draft": draft, "jump": jump, "previous": previous, "done_url": done_url},
    )
