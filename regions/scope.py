"""An officer's region scope: which provinces and regencies a staff user may see and act on.

Fail-closed: a staff user sees nothing until given a scope (provinces, regencies, or national).
Superusers are national. Every admin list, detail, action, import and export filters through here.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

_CACHE_ATTRIBUTE = "_region_scope_cache"


@dataclass(frozen=True)
class RegionScope:
    national: bool
    province_codes: frozenset[str]
    regency_codes: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.province_codes or self.regency_codes)

    def q(self, *, province: str, regency: str | None) -> Q:
        """The filter for rows whose province sits at lookup path ``province`` and regency at ``regency``.

        ``regency=None`` is for rows that belong to a whole province (or to none): a regency-scoped
        officer sees none of them."""
        if self.national:
            return Q()
        if self.is_empty:
            return Q(pk__in=[])
        condition = Q()
        if self.province_codes:
            condition |= Q(**{f"{province}__in": sorted(self.province_codes)})
        if self.regency_codes and regency is not None:
            condition |= Q(**{f"{regency}__in": sorted(self.regency_codes)})
        if not condition:
            return Q(pk__in=[])  # only regencies in scope, and these rows have none
        return condition

    def covers(self, *, province_code: str, regency_code: str = "") -> bool:
        """Whether a place (a regency, or a whole province when no regency is given) is in scope."""
        if self.national:
            return True
        if province_code in self.province_codes:
            return True
        return bool(regency_code) and regency_code in self.regency_codes

    def describe(self) -> str:
        if self.national:
            return "nasional"
        return ", ".join(sorted(self.province_codes | self.regency_codes)) or "-"


def region_scope_of(user: AbstractBaseUser) -> RegionScope:
    """The user's scope, read once per user object (a request reuses it across every query)."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = RegionScope(national=False, province_codes=frozenset(), regency_codes=frozenset())
    elif user.is_superuser or user.scope_national:
        scope = RegionScope(national=True, province_codes=frozenset(), regency_codes=frozenset())
    else:
        scope = RegionScope(
            national=False,
            province_codes=frozenset(user.scope_provinces.values_list("code", flat=True)),
            regency_codes=frozenset(user.scope_regencies.values_list("code", flat=True)),
        )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def scope_filter(queryset: QuerySet, user: AbstractBaseUser, *, province: str, regency: str | None) -> QuerySet:
    """``queryset`` narrowed to the rows in ``user``'s scope (see ``RegionScope.q`` for the paths)."""
    return queryset.filter(region_scope_of(user).q(province=province, regency=regency))
