"""``{% paid_notices application %}``: "the money arrived" for each paid tahap, on any of the group's pages
(the status page and the ketua's home page), rendered by one template so both say the same."""

from django import template

from disbursements.notifications import tranche_payments

register = template.Library()


@register.inclusion_tag("disbursements/paid_notices.html")
def paid_notices(application: object, *, link: bool = False) -> dict[str, object]:
    if application is None:
        return {"payments": []}
    return {"payments": tranche_payments(application.tranches.all()), "application": application, "link": link}
