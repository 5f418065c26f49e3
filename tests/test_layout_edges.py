"""merge_edges is one inlined pass (a ruled form has hundreds of ruling pieces a page): it must give what
its definition gives — rulings clustered on their position (each cluster at its mean), each cluster's
intervals sorted and joined where they touch within the snap."""

from __future__ import annotations

import random

from juesuan.config import LAYOUT
from juesuan.read.layout import Edge, clusters, merge_edges


def _by_definition(edges: list[Edge], snap: float) -> list[Edge]:
    out = []
    for group in clusters(sorted(edges, key=lambda e: e.pos), key=lambda e: e.pos, tol=snap):
        pos = sum(e.pos for e in group) / len(group)
        joined: list[list[float]] = []
        for lo, hi in sorted((e.lo, e.hi) for e in group):
            if joined and lo <= joined[-1][1] + snap:
                joined[-1][1] = max(joined[-1][1], hi)
            else:
                joined.append([lo, hi])
        out += [Edge(pos, lo, hi) for lo, hi in joined]
    return out


def test_merged_rulings_are_those_of_the_definition():
    rnd = random.Random(9)
    for _ in range(500):
        n = rnd.randrange(0, 40)
        edges = []
        for _ in range(n):  # positions close enough to cluster, pieces that touch, overlap or stand apart
            lo = rnd.choice([rnd.uniform(0, 500), round(rnd.uniform(0, 500))])
            edges.append(Edge(rnd.choice([100.0, 100.4, 101.5, 300.0, rnd.uniform(0, 600)]), lo,
                              lo + rnd.uniform(0, 80)))
        assert merge_edges(edges, LAYOUT) == _by_definition(edges, LAYOUT.snap)


def test_a_drawn_line_in_pieces_is_one_edge():
    pieces = [Edge(50.2, 10, 60), Edge(50.0, 60.5, 120), Edge(49.8, 118, 200), Edge(80, 10, 200)]
    assert merge_edges(pieces, LAYOUT) == [Edge(50.0, 10, 200), Edge(80, 10, 200)]
