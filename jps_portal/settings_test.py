"""Test settings: the real settings, with fast hashing, in-memory mail and no throttling."""

from jps_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = False
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Tests run tasks in-process, even when a broker is configured; the real-worker tests switch this
# off for their own calls (tests/applications/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# SMS and WhatsApp land in notifications.sms.outbox (tests/conftest.py empties it per test).
SMS_BACKEND = WHATSAPP_BACKEND = "notifications.sms.LocmemBackend"
