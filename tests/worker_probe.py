"""A task loaded only into test workers (``celery worker --include tests.worker_probe``): it records
each attempt in a file and sleeps on the first, so a test can kill the worker mid-task."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.worker_probe.record_attempt")
def record_attempt(path: str, first_attempt_seconds: float) -> int:
    marker = Path(path)
    attempt = int(marker.read_text()) + 1 if marker.exists() else 1
    marker.write_text(str(attempt))
    marker.with_suffix(".pid").write_text(str(os.getpid()))
    if attempt == 1:
        time.sleep(first_attempt_seconds)
    # Written then renamed, so a reader never sees a half-written file.
    done = marker.with_suffix(".tmp")
    done.write_text(str(attempt))
    done.rename(marker.with_suffix(".done"))
    return attempt
