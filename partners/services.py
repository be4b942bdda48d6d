"""Every write to partners' clients and keys. The admin (and tests) call these, nothing else.

Why API keys and not OAuth2 client-credentials: see docs/api.md (in short: the partners are a
handful of server-side systems, a bearer key is one header and no token endpoint, and the secret is
256 bits of randomness, so a fast hash (SHA-256) is as safe as a slow one and costs microseconds).
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import ApiKey, Client
from regions.models import Province, Regency

PREFIX = "jps"
# A rotated key keeps working this long, so the partner can deploy its replacement without downtime.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


class ApiKeyError(Exception):
    """A key that cannot be rotated or revoked (already revoked, or already replaced)."""


@dataclass(frozen=True)
class IssuedKey:
    """A key as issued: ``plaintext`` exists only here, in this one answer, never in the database."""

    key: ApiKey
    plaintext: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)


def parse_key(raw: str) -> tuple[str, str] | None:
    """``jps_<key id>_<secret>`` → (key id, secret), or None if it does not have that shape."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    key_id, secret = parts[1], parts[2]
    if len(key_id) != ApiKey.KEY_ID_LENGTH or not key_id.isalnum() or not 32 <= len(secret) <= 128:
        return None
    return key_id, secret


@transaction.atomic
def client_save(
    *,
    client: Client,
    provinces: QuerySet[Province] | list[Province],
    regencies: QuerySet[Regency] | list[Regency],
    by: AbstractBaseUser,
) -> Client:
    """Create or change a client with its region scope (a national client keeps no province list)."""
    client.full_clean()
    client.save()
    client.scope_provinces.set([] if client.scope_national else provinces)
    client.scope_regencies.set([] if client.scope_national else regencies)
    return client


def _new_key(*, client: Client, by: AbstractBaseUser | None) -> IssuedKey:
    key_id = secrets.token_hex(ApiKey.KEY_ID_LENGTH // 2)
    secret = secrets.token_urlsafe(32)  # 256 bits
    key = ApiKey.objects.create(client=client, key_id=key_id, secret_hash=hash_secret(secret), created_by=by)
    return IssuedKey(key=key, plaintext=f"{PREFIX}_{key_id}_{secret}")


@transaction.atomic
def api_key_issue(*, client: Client, by: AbstractBaseUser | None) -> IssuedKey:
    """A new key for ``client``, alongside any it has."""
    return _new_key(client=client, by=by)


@transaction.atomic
def api_key_rotate(*, key: ApiKey, by: AbstractBaseUser | None, now: datetime.datetime | None = None) -> IssuedKey:
    """A replacement for ``key``; the old one keeps working for ``ROTATION_OVERLAP`` (never longer than
    it would have anyway)."""
    now = now or timezone.now()
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not locked.is_valid_at(now) or locked.replaced_by_id is not None:
        raise ApiKeyError(_("Kunci ini sudah dicabut, kedaluwarsa atau sudah diganti."))
    issued = _new_key(client=locked.client, by=by)
    overlap_end = now + ROTATION_OVERLAP
    locked.expires_at = min(locked.expires_at, overlap_end) if locked.expires_at else overlap_end
    locked.replaced_by = issued.key
    locked.save(update_fields=["expires_at", "replaced_by"])
    return issued


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by: AbstractBaseUser | None, now: datetime.datetime | None = None) -> ApiKey:
    """Refuse ``key`` from now on."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        raise ApiKeyError(_("Kunci ini sudah dicabut."))
    locked.revoked_at = now or timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked
