from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from accounts.services import password_hash_anyway, user_login_candidate

# Set on the request when the password was right but the account may not log in (inactive), so that
# the login form can say "verify your e-mail first" without checking the password a second time.
PASSWORD_RIGHT_BUT_INACTIVE = "login_password_right_but_inactive"


class EmailOrPhoneBackend(ModelBackend):
    """Log in with a username, the e-mail address or the phone number the account registered with.

    Staff keep their usernames; a ketua kelompok rarely remembers one, but knows their e-mail or HP.
    The login form normalises a phone number to ``08…`` before it gets here.

    Every attempt runs the password hasher exactly once — an unknown login, an account without a
    usable password, a wrong password and a right one alike — so the time a refusal takes does not
    tell which accounts exist."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: object
    ) -> User | None:
        if not username or not password:
            return None
        user = user_login_candidate(login=username.strip())
        if user is None or not user.has_usable_password():
            password_hash_anyway(password=password)
            return None
        if not user.check_password(password):
            return None
        if not self.user_can_authenticate(user):
            if request is not None:
                setattr(request, PASSWORD_RIGHT_BUT_INACTIVE, user)
            return None
        return user
