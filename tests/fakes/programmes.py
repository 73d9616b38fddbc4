"""In-memory programme repository: settings and their rule versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.programme import Programme, RuleVersion
from tests.fakes.store import FakeRepository, FakeStore


class FakeProgrammes(FakeRepository):
    async def get(self, business_id: str) -> Programme | None:
        return self._uow.view.programmes.get(business_id)

    async def save(self, programme: Programme) -> None:
        def write(store: FakeStore) -> None:
            # Like the upsert: settings change, stored rule versions stay as they are.
            stored = store.programmes.get(programme.business_id)
            rules = stored.rules if stored is not None else ()
            store.programmes[programme.business_id] = replace(programme, rules=rules)

        self._uow.stage(write)

    async def add_rule(self, business_id: str, rule: RuleVersion) -> None:
        def write(store: FakeStore) -> None:
            stored = store.programmes[business_id]
            assert rule.version not in {r.version for r in stored.rules}, "unique version"
            store.programmes[business_id] = replace(stored, rules=(*stored.rules, rule))

        self._uow.stage(write)

    async def latest_event_at(self, business_id: str) -> datetime | None:
        moments = [r.occurred_at for k, r in self._uow.view.inbox.items() if k[0] == business_id]
        return max(moments, default=None)
