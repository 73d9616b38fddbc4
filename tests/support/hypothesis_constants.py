"""Hypothesis with no local constants, so a derandomized run draws the same in every process.

Hypothesis (6.131 on) makes about one draw in twenty from a pool of constants: its own, plus
every literal in every *local* module then in ``sys.modules`` (test files excluded). That pool
is whatever the process happened to import: a bare interpreter, pytest with one file, the whole
suite and each xdist worker import different modules, and every literal anyone adds to an
imported module changes it. The seed is the same everywhere, the draws are not. Hypothesis has no
setting for it, so ``no_local_constants`` swaps the pool for an empty one while a run lasts
(Hypothesis' own constants stay) and clears the cache of constants filtered per draw kind, which
still holds the old pool's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants


@contextmanager
def no_local_constants() -> Iterator[None]:
    # A private hook: fail loudly if Hypothesis renames it rather than silently drift again.
    original = providers._get_local_constants
    empty = Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def drop_local_constants() -> None:
    """For the whole run: the ``ci`` profile's derandomized draws then depend on the seed
    alone, not on which modules an xdist worker or an earlier test happened to import."""
    empty = Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()
