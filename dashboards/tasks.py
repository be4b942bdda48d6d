"""Background work for dashboards: the tally recompute (beat schedule and the "Perbarui" button)."""

from celery import shared_task

from dashboards import services


# Idempotent (a rerun writes a snapshot with the same figures), so a retry or a redelivery after a
# killed worker is safe; the previous snapshot stays current until a run completes.
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def recompute_tallies() -> int:
    """Recompute every tally and make the new snapshot current. Returns the snapshot id."""
    return services.tallies_recompute().pk
