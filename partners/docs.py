"""The API's human documentation: Swagger UI and Redoc, from the drf-spectacular-sidecar package's
files under /static/ (no CDN). The pages carry no inline script: each loads the bundle and a small
start-up file of ours (static/js/api-docs-*.js) that reads the schema's URL from a data attribute,
so both run under the site's Content-Security-Policy (script-src 'self')."""

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def swagger_ui(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "partners/api_docs_swagger.html", {"schema_url": reverse("api:schema")})


# Redoc styles itself with <style> elements it writes at run time (styled-components): this page
# alone allows inline *styles*; scripts stay 'self' only, as everywhere. Search is off (it would
# need a blob: worker).
@require_safe
@csp_update({"style-src": ["'unsafe-inline'"]})
def redoc(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "partners/api_docs_redoc.html", {"schema_url": reverse("api:schema")})
