from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User


class EmailOrPhoneBackend(ModelBackend):
    """Log in with a username, the e-mail address or the phone number the account registered with.

    Staff keep their usernames; a ketua kelompok rarely remembers one, but knows their e-mail or HP."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: object
    ) -> User | None:
        if not username or not password:
            return None
        login = username.strip()
        candidates = User.objects.filter(Q(username=login) | Q(email__iexact=login) | Q(phone=login)).order_by("pk")
        for user in candidates[:2]:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        # Run the hasher once anyway, so a missing account takes as long as a wrong password.
        User().set_password(password)
        return None
