"""Listening to disbursements: a reconciled batch gets its verification sample drawn after commit.
(disbursements knows nothing of this app; it only announces ``batches_reconciled``.)"""

from jps_portal.celery import enqueue_on_commit


def on_batches_reconciled(sender: object, *, batch_ids: list[int], **kwargs: object) -> None:
    from payment_checks.tasks import draw_sample

    for batch_id in batch_ids:
        enqueue_on_commit(draw_sample, batch_id)
