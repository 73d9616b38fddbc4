"""Manual adjustments: what a manager may take by hand."""

from __future__ import annotations

from domain.errors import InvalidRequest


def check_points_taken(points: int, balance: int, held: int) -> None:
    """Taking points by hand never takes those held for a till, nor leaves the balance below
    zero: only a reversal may make a balance negative (it undoes points given for goods that
    came back), and a capture must find its held points where they were."""
    free = max(balance - held, 0)
    if -points > free:
        raise InvalidRequest(
            f"An adjustment can take at most {free} points here: the balance ({balance})"
            f" less the points held for tills ({held})."
        )
