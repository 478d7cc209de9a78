"""Tests owed for reasons the apps above testing know (a cold-chain trace: coldchain/queries.py). Each source
is called as `source(user=, today=, node=)` and returns (person, why, due_on) for the people the user may
see that still owe a test on `today`; the schedule lists them beside measures and key groups. Filled from
those apps' AppConfig.ready()."""

from collections.abc import Callable

DUE: list[Callable[..., list]] = []
