"""The portal account a partner client writes as. Services record "who" as a user (an upload's
``uploaded_by``, a history row's user) and read the region scope from it (``region_scope_of``); a
client's writes go through those same services as this account, so they are checked by the same
region-scope code and shown in the admin as the client's ("API: <client>")."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from partners.models import Client


@transaction.atomic
def client_actor(client: Client) -> AbstractBaseUser:
    """The client's account, made on first use, with the client's region scope copied onto it now
    (the client's scope may have changed in the admin since the last write). It has no password
    and no role: it can never log in, and it may do only what the API's services do with it."""
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
    return actor
