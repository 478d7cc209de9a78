"""The co-presence search (DOMAIN.md §5): who stayed at a venue while a case was there.

The interface is the contract the rest of tracing builds on, and the one a later engine (Apache Spark over an
exported check-in log) implements too: a list of `Query` in, a list of `Hit` out, no model objects.

A stay is a check-in's interval: from `at` to `checked_out_at`, or to `at` plus the venue's dwell time
when there is no check-out. A query's own stays are those of its identities whose interval meets the
window [since, until], clipped to it. A hit is another identity whose stays at the same venue overlap the
query's clipped stays by more than zero seconds; its overlap is the length of the intersection of the two
unions of stays (a person checked in twice is not counted twice), in whole minutes rounded down.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fangkong.venues.models import CheckIn, Venue

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Query:
    key: int  # the caller's handle: a case's id, or a close contact's candidate id for secondary contacts
    identity_ids: tuple[int, ...]  # whose stays are searched from; never themselves a hit
    since: dt.datetime
    until: dt.datetime


@dataclass(frozen=True)
class Hit:
    key: int
    identity_id: int
    venue_id: int
    first_at: dt.datetime  # the start of the first overlap
    last_at: dt.datetime  # the end of the last overlap
    overlap_seconds: int

    @property
    def overlap_minutes(self) -> int:
        return self.overlap_seconds // 60


def union(intervals: Sequence[Interval]) -> list[Interval]:
    """The intervals merged where they meet or overlap, in order."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersection(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The non-empty intersections of two unions (each sorted and disjoint)."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def co_presence(queries: Sequence[Query], *, dwell: Callable[[Venue], int]) -> list[Hit]:
    """Every hit of every query, ordered by key, then overlap (longest first), venue and identity.
    `dwell(venue)` gives the minutes a stay without a check-out lasts (venues.queries.dwell_minutes)."""
    hits: list[Hit] = []
    for query in queries:
        hits.extend(_one(query, dwell))
    return sorted(hits, key=lambda h: (h.key, -h.overlap_seconds, h.venue_id, h.identity_id))


def _stay(checkin: CheckIn, minutes: int) -> Interval:
    return checkin.at, checkin.checked_out_at or checkin.at + dt.timedelta(minutes=minutes)


def _one(query: Query, dwell: Callable[[Venue], int]) -> list[Hit]:
    # Straightforward version: the case's check-ins, then every check-in at those venues in the window.
    longest = dt.timedelta(days=1)  # no stay is longer than a day: a check-out later than that is a typo
    own = CheckIn.objects.filter(
        identity_id__in=query.identity_ids, at__lt=query.until, at__gte=query.since - longest
    ).select_related("venue")
    minutes: dict[int, int] = {}
    own_stays: dict[int, list[Interval]] = defaultdict(list)
    for c in own:
        minutes.setdefault(c.venue_id, dwell(c.venue))
        start, end = _stay(c, minutes[c.venue_id])
        start, end = max(start, query.since), min(end, query.until)
        if start < end:
            own_stays[c.venue_id].append((start, end))
    hits = []
    for venue_id, stays in own_stays.items():
        mine = union(stays)
        others: dict[int, list[Interval]] = defaultdict(list)
        rows = CheckIn.objects.filter(venue_id=venue_id, at__lt=mine[-1][1], at__gte=mine[0][0] - longest)
        for c in rows.exclude(identity_id__in=query.identity_ids):
            others[c.identity_id].append(_stay(c, minutes[venue_id]))
        for identity_id, theirs in others.items():
            common = intersection(mine, union(theirs))
            if common:
                seconds = int(sum((end - start).total_seconds() for start, end in common))
                hits.append(Hit(query.key, identity_id, venue_id, common[0][0], common[-1][1], seconds))
    return hits
