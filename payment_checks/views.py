"""/cek-bantuan/<token>/: a person of a sampled group says whether the money arrived. No account: the
signed link is the key. Parses input, calls one service, renders. A forged or expired link is a
clear page (never a 500); answers are limited per address (429 with Retry-After)."""

import math

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.views import client_ip
from jps_portal.ratelimit import seconds_to_wait
from payment_checks import services
from payment_checks.forms import AnswerForm

TEMPLATE = "payment_checks/answer_form.html"


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        respondent = services.respondent_from_token(token)
    except services.LinkError as error:
        return render(request, "payment_checks/answer_invalid.html", {"reason": error.message}, status=404)
    form = AnswerForm(request.POST or None)
    context = {"respondent": respondent, "sample": respondent.sample, "form": form}
    if respondent.answer:
        return render(request, "payment_checks/answer_done.html", {**context, "already": request.method == "POST"})
    if request.method == "POST":
        wait = seconds_to_wait("payment-check-answer", client_ip(request) or "-")
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            context["throttled"] = _("Terlalu banyak permintaan. Coba lagi dalam %(minutes)d menit.") % {
                "minutes": minutes
            }
            response = render(request, TEMPLATE, context, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            try:
                respondent, recorded = services.respondent_answer(
                    respondent=respondent, answer=form.cleaned_data["answer"], amount=form.cleaned_data["amount"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                context |= {"respondent": respondent, "sample": respondent.sample}
                return render(request, "payment_checks/answer_done.html", {**context, "already": not recorded})
        return render(request, TEMPLATE, context, status=400)
    return render(request, TEMPLATE, context)
