"""What health codes read from the apps above them. Checkpoints and venues show and verify colours, so
they stand above health codes and import them; the records of theirs that a colour or an appeal needs
reach health codes through these lists, which those apps fill from their AppConfig.ready().

- READINGS: temperatures taken elsewhere than at a follow-up (a checkpoint's, DOMAIN.md §10), which count
  like a follow-up's. Each source is called as `source(identity=, after=, until=)` and returns
  rules.Reading objects in one query.
- LAST_SEEN: where an identity with no registry person was last seen, for the node that handles their
  appeal. Each source is called as `source(identity)` and returns a Jurisdiction or None; the first that
  answers wins, in the order of INSTALLED_APPS (checkpoints before venues).
"""

from collections.abc import Callable

READINGS: list[Callable[..., list]] = []
LAST_SEEN: list[Callable[..., object]] = []
