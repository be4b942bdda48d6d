"""``Authorization: Bearer jps_<key id>_<secret>`` → the calling client (one query: key + client)."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from partners.models import ApiKey, Client
from partners.services import parse_key, secret_matches
from regions.scope import RegionScope


@dataclass
class PartnerCaller:
    """``request.user`` on an API call: the client and the key it used (not a portal user)."""

    client: Client
    key: ApiKey
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    _region_scope: RegionScope | None = field(default=None, repr=False)

    @property
    def pk(self) -> None:  # nothing that records "who" should take a client for a user
        return None

    def region_scope(self) -> RegionScope:
        if self._region_scope is None:
            self._region_scope = self.client.region_scope()
        return self._region_scope

    def has_scope(self, scope: str) -> bool:
        return self.client.has_scope(scope)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[PartnerCaller, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no credentials: the permission check answers 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Header Authorization harus berbentuk: Bearer <kunci API>."))
        try:
            parsed = parse_key(header[1].decode("ascii"))
        except UnicodeDecodeError:
            parsed = None
        if parsed is None:
            raise exceptions.AuthenticationFailed(_("Kunci API tidak valid."))
        key_id, secret = parsed
        key = ApiKey.objects.select_related("client").filter(key_id=key_id).first()
        if key is None or not secret_matches(secret, key.secret_hash):
            raise exceptions.AuthenticationFailed(_("Kunci API tidak valid."))
        now = timezone.now()
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Kunci API sudah dicabut."))
        if not key.is_valid_at(now):
            raise exceptions.AuthenticationFailed(_("Kunci API sudah kedaluwarsa."))
        if not key.client.is_usable(now=now):
            raise exceptions.AuthenticationFailed(_("Klien API tidak aktif atau masa berlakunya habis."))
        return PartnerCaller(client=key.client, key=key), key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
