"""Acceptance: the example programme generator (foundation issue, item 8).

The committed ``examples/programme.json`` is what the seeded generator
writes; the programme has the real programme's shape; the generator is
deterministic and scales up for benchmarks.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from hubspoke.codes import FunderKind, FundingSourceKind
from hubspoke.diagnostics import Severity
from hubspoke.model import Programme
from hubspoke.serialization import dumps_programme, loads_programme

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "hubspoke_example_generate", EXAMPLES / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs classes in the module need it registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def committed() -> Programme:
    return loads_programme((EXAMPLES / "programme.json").read_text(encoding="utf-8"))


def test_committed_programme_is_what_the_seeded_generator_writes(
    generate: ModuleType, committed: Programme
) -> None:
    fresh = generate.generate_programme(2015)
    assert dumps_programme(fresh) == dumps_programme(committed)


def test_generator_is_deterministic_per_seed(generate: ModuleType) -> None:
    a = dumps_programme(generate.generate_programme(7))
    assert a == dumps_programme(generate.generate_programme(7))
    assert a != dumps_programme(generate.generate_programme(8))


def test_programme_has_the_real_programmes_shape(committed: Programme) -> None:
    p = committed
    assert [d for d in p.validate() if d.severity is Severity.ERROR] == []
    # The alliance: 12 independent funders; councils and a PCC commission later contracts.
    alliance = [f for f in p.funders if f.kind in (FunderKind.CHARITABLE_TRUST, FunderKind.LOTTERY)]
    assert len(alliance) == 12
    assert len(p.hubs) == 16
    assert sorted(Counter(h.phase for h in p.hubs).items()) == [(1, 3), (2, 5), (3, 8)]
    starts = sorted(ph.planned_start.year for ph in p.phases)
    assert len(starts) == 3
    assert starts == list(range(starts[0], starts[0] + 3))
    assert len(p.spokes) == 53
    assert len({s.area.code for s in p.spokes}) == 35
    assert len({h.kind for h in p.hosts}) >= 3
    assert len({f.source for f in p.funding}) >= 3


def test_some_spokes_move_to_statutory_contracts(committed: Programme) -> None:
    statutory = {
        f.spoke_id
        for f in committed.funding
        if f.source is FundingSourceKind.STATUTORY_CONTRACT and f.spoke_id
    }
    earlier_other = {
        f.spoke_id
        for f in committed.funding
        if f.spoke_id in statutory and f.source is not FundingSourceKind.STATUTORY_CONTRACT
    }
    assert earlier_other, "no spoke moves from other funding to a statutory contract"


def test_posts_have_vacancies_turnover_and_supervision(committed: Programme) -> None:
    by_post = Counter(o.post_id for o in committed.occupancies)
    assert any(n >= 2 for n in by_post.values()), "no post ever changes hands"
    filled_at_some_point = set(by_post)
    posts = {p.id for p in committed.posts}
    vacancies = posts - filled_at_some_point
    gaps = False
    for post_id in by_post:
        spans = sorted((o.start, o.end) for o in committed.occupancies if o.post_id == post_id)
        gaps |= any(
            end is not None and nxt > end for (_, end), (nxt, _) in itertools.pairwise(spans)
        )
    assert vacancies or gaps, "no post is ever vacant"
    assert len(committed.supervision) > len(committed.posts)


def test_generator_scales_up(generate: ModuleType) -> None:
    big = generate.generate_programme(2015, generate.Shape(scale=2, years=4))
    assert len(big.hubs) == 32
    assert len(big.spokes) == 106
    assert len({s.area.code for s in big.spokes}) == 70
    small_expected = len(generate.generate_programme(2015).expected_returns)
    assert len(big.expected_returns) > 2 * small_expected
