"""A bank account changed the only way it can be after approval: proposed, then confirmed by another."""

from corrections.models import Correction
from corrections.services import correction_confirm, correction_propose_bank_account
from groups.models import Group


def account_fix(
    group: Group,
    *,
    proposer,  # noqa: ANN001
    checker,  # noqa: ANN001
    account_number: str,
    bank_id: str = "008",
    account_holder: str = "Kelompok Baru",
) -> Correction:
    correction = correction_propose_bank_account(
        group=group,
        by=proposer,
        bank_id=bank_id,
        account_number=account_number,
        account_holder=account_holder,
        reason="Rekening lama ditutup; buku tabungan baru diperiksa.",
    )
    return correction_confirm(correction=correction, by=checker, note="Sesuai buku tabungan.")
