"""What disbursements announces to the apps that build on it (they subscribe; it imports none of them)."""

from django.dispatch import Signal

# Sent inside the reconciliation's transaction with ``batch_ids``: the batches that have just become
# reconciled (no pending line left). Receivers defer their work to after commit.
batches_reconciled = Signal()
