from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from accounts.services import user_login_candidates


class EmailOrPhoneBackend(ModelBackend):
    """Log in with a username, the e-mail address or the phone number the account registered with.

    Staff keep their usernames; a ketua kelompok rarely remembers one, but knows their e-mail or HP.
    The login form normalises a phone number to ``08…`` before it gets here."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: object
    ) -> User | None:
        if not username or not password:
            return None
        for user in user_login_candidates(login=username.strip())[:2]:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        # Run the hasher once anyway, so a missing account takes as long as a wrong password.
        User().set_password(password)
        return None
