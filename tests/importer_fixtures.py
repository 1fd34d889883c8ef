"""Shared helpers of the importer tests: a small fictional programme."""

from __future__ import annotations

from datetime import date

from hubspoke.codes import PlacementType
from hubspoke.model import Hub, LocalArea, Programme, Spoke


def fictional_programme() -> Programme:
    hub = Hub(
        id="H01",
        organisation="Alder Trust",
        service_name="Alder CSE Service",
        region="North",
        phase=2,
        manager_post_funded=True,
    )
    spokes = [
        Spoke(
            id=sid,
            hub_id="H01",
            area=LocalArea(code=f"E0600012{n}", name=f"Northmoor {n}"),
            placement=PlacementType.NEW_LOCAL_AUTHORITY,
            planned_start=date(2014, 4, 1),
        )
        for n, sid in enumerate(("S01", "S02", "S12"))
    ]
    return Programme(name="Fictional Alliance", hubs=(hub,), spokes=tuple(spokes))
