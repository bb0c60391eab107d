"""Certificate jobs: take ids, idempotent."""

from __future__ import annotations

from app.certificates import services


def run_certificate_batch(batch_id: int) -> dict[str, int] | None:
    """Issue (and mail) the participation certificates of one batch."""
    batch = services.run_certificate_batch(batch_id)
    if batch is None:
        return None
    return {"issued": batch.issued, "skipped": batch.skipped}
