"""Log filters wired in settings.LOGGING."""

import logging


class OneLineForbidden(logging.Filter):
    """A 403 is an answer, not a fault: Django logs "Forbidden (Permission denied): /path" with the
    ``PermissionDenied`` traceback attached (some 25 lines on the console for every refused link).
    Keep the one line — who was refused what is worth seeing — and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
