"""A view names the scope it needs (``required_scope``); a client without it gets 403."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from partners.authentication import PartnerCaller

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class HasScope(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        caller = request.user
        if not isinstance(caller, PartnerCaller):
            return False  # DRF turns this into 401 (no credentials) before our message is read
        required = getattr(view, "required_scope", None)
        if required is None or caller.has_scope(required):
            return True
        self.message = _("Klien ini tidak memiliki hak akses %(scope)s.") % {"scope": required}
        return False
