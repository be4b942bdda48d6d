"""The portal account a partner client writes as. Services record "who" as a user (an upload's
``uploaded_by``, a history row's user) and read the region scope from it (``region_scope_of``); a
client's writes go through those same services as this account, so they are checked by the same
region-scope code and shown in the admin as the client's ("API: <client>")."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from partners.models import Client, Scope

# What a scope lets the client's account do in the services that check a permission (``app.codename``).
SCOPE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # disbursements.services.bank_results_import: the admin's "import bank results" permission.
    Scope.BANK_RESULTS_WRITE: ("disbursements.change_paymentbatch",),
}


@transaction.atomic
def client_actor(client: Client) -> AbstractBaseUser:
    """The client's account, made on first use, with the client's region scope copied onto it now
    (the client's scope may have changed in the admin since the last write), and the permissions its
    API scopes stand for (``SCOPE_PERMISSIONS``). It has no password and no role: it can never log
    in, and it may do only what the API's services do with it."""
    locked = Client.objects.select_for_update().get(pk=client.pk)
    user_model = get_user_model()
    actor = locked.actor
    if actor is None:
        actor = user_model(username=f"api-klien-{locked.pk}", first_name=f"API: {locked.name}"[:150], is_active=True)
        actor.set_unusable_password()
        actor.save()
        locked.actor = actor
        locked.save(update_fields=["actor"])
        client.actor = actor
    actor.scope_national = locked.scope_national
    actor.save(update_fields=["scope_national"])
    actor.scope_provinces.set(locked.scope_provinces.all())
    actor.scope_regencies.set(locked.scope_regencies.all())
    actor.user_permissions.set(_permissions_for(locked.scopes))
    # A fresh object: no permission or region-scope cache from before the changes above.
    return user_model.objects.get(pk=actor.pk)


def _permissions_for(scopes: list[str]) -> list[Permission]:
    dotted = [name for scope in scopes for name in SCOPE_PERMISSIONS.get(scope, ())]
    if not dotted:
        return []
    condition = Q()
    for name in dotted:
        app_label, codename = name.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(condition))
