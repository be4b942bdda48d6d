"""Payment verification work. A task takes ids and calls one service; running one twice changes
nothing the second time (one draw per batch, one SMS per respondent, a sample moves once)."""

from celery import shared_task

from payment_checks import services


@shared_task(soft_time_limit=120, time_limit=150)
def draw_sample(batch_id: int) -> int | None:
    """Draw the verification sample of a reconciled batch (enqueued on commit of the reconciliation)."""
    draw = services.verification_draw(batch_id=batch_id)
    return draw.pk if draw else None


@shared_task(soft_time_limit=300, time_limit=330)
def invite_respondents(draw_id: int) -> int:
    """Queue the SMS links of a draw's respondents in the outbox."""
    return services.draw_invite(draw_id=draw_id)


@shared_task(soft_time_limit=600, time_limit=660)
def sweep_payment_checks() -> int:
    """Draw for batches whose draw never reached a worker; move non-responders to the follow-up list."""
    for batch_id in services.reconciled_batches_without_draw():
        services.verification_draw(batch_id=batch_id)
    return services.samples_move_to_follow_up()
