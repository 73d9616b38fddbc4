"""Every entry kind has a bucket and a human label, so no entry is published without them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.descriptions import describe
from domain.ledger import BUCKET_OF_KIND, Bucket, EntryKind, Source, kinds_in


def test_every_entry_kind_falls_in_exactly_one_bucket() -> None:
    assert set(BUCKET_OF_KIND) == set(EntryKind)
    assert sorted(k for b in Bucket for k in kinds_in(b)) == sorted(EntryKind)


@given(
    st.sampled_from(EntryKind),
    st.sampled_from(Source),
    st.text(min_size=1, max_size=20),
    st.none() | st.text(min_size=1, max_size=20),
)
def test_every_entry_kind_from_every_source_gets_a_label_naming_its_reason(
    kind: EntryKind, source: Source, ref: str, reason: str | None
) -> None:
    label = describe(kind, source, ref, reason)
    assert label.strip()
    if reason:
        assert label.endswith(f": {reason}")


def test_a_level_change_says_the_level_it_moved_to() -> None:
    assert describe(EntryKind.LEVEL_CHANGE, Source.SYSTEM, "x", level_after="Gold") == (
        "Level now Gold"
    )
