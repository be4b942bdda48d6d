"""Background work for accounts. A task takes plain values, calls one service."""

from celery import shared_task

from accounts import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5, soft_time_limit=60, time_limit=90)
def send_password_reset_mail(email: str, protocol: str, domain: str, language: str) -> int:
    """Send the reset link to the accounts of ``email`` (any number, none included). Takes the
    typed address, not a user id, on purpose: the request publishes the same task whether or not
    the address has an account, so its timing says nothing (accounts.services.password_reset_request)."""
    return services.password_reset_mail_send(email=email, protocol=protocol, domain=domain, language=language)
