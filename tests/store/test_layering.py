"""The store opens and upgrades itself from one side: ``database`` drives
``migrations``, which imports nothing that leads back to it."""

from __future__ import annotations

import grimp


def test_migrations_never_leads_back_to_database() -> None:
    graph = grimp.build_graph("reviewer", cache_dir=None)
    assert graph.find_shortest_chain(importer="reviewer.store.migrations",
                                     imported="reviewer.store.database") is None
    assert graph.direct_import_exists(importer="reviewer.store.database",
                                      imported="reviewer.store.migrations")
