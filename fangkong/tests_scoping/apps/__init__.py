"""Each app's part of the walk over every route, in a module named after the app; a new app adds its own.

A module holds, for its app, what it needs (all optional):

- `records(w, r)`: the app's records of grid 07, made through its actions, returned as the entries of the
  `grid07` fixture (`w` is the tiny world, `r` the records made before, the `people` among them);
- `ROUTES`: how to point each of its page routes at grid 07, `(kwargs, query string)` from `(w, r)`; a route
  that answers without a login goes in `PUBLIC` instead, with the reason;
- `BODIES`: per route, what the form harvested from the page cannot say (or the whole body when no page
  shows the form); `BODY_URLS`: where the body goes when the route's own URL names a record its rules
  refuse to change again; `PREVIEWS`: uploads whose valid POST shows a preview and writes no row yet (the
  confirm step writes), with what the preview of grid 07's admin shows; `MORE_URLS`: the other URLs of a
  route (a document's other formats);
- `API_IDS`: per path parameter of the API, grid 07's value; `API_BODIES`: per operation (method, path as the
  schema writes it), what `api_values` of test_other_areas.py cannot say.

The tables are gathered in the apps' order (home/tests/test_import_order.py), the project's own routes last;
an entry made by two modules is an error, not a silent override.
"""

from . import (
    checkpoints,
    coldchain,
    command,
    disinfection,
    grid,
    healthcodes,
    home,
    imports,
    inspections,
    markets,
    measures,
    policy,
    registry,
    reporting,
    root,
    schools,
    situation,
    supplies,
    surveillance,
    testing,
    tracing,
    vaccination,
    venues,
)

APPS = [
    grid,
    policy,
    registry,
    imports,
    measures,
    healthcodes,
    checkpoints,
    venues,
    tracing,
    vaccination,
    testing,
    supplies,
    disinfection,
    inspections,
    command,
    coldchain,
    schools,
    markets,
    surveillance,
    reporting,
    situation,
    home,
    root,
]


def _gathered(table: str) -> dict:
    gathered = {}
    for app in APPS:
        entries = getattr(app, table, {})
        if twice := gathered.keys() & entries.keys():
            raise ValueError(f"{app.__name__}.{table} repeats entries of another app: {sorted(twice)}")
        gathered |= entries
    return gathered


PUBLIC = _gathered("PUBLIC")
ROUTES = _gathered("ROUTES")
BODIES = _gathered("BODIES")
BODY_URLS = _gathered("BODY_URLS")
PREVIEWS = _gathered("PREVIEWS")
MORE_URLS = _gathered("MORE_URLS")
API_IDS = _gathered("API_IDS")
API_BODIES = _gathered("API_BODIES")

# The order grid 07's records are made in. It is not the apps' order: a record may point at one made
# before (the kindergarten's daily reports and inspection, the shop's closure), and the ids and the audit
# log follow it, so a new app's records go at the end.
MAKING_ORDER = [
    measures.records,
    grid.records,
    imports.records,
    checkpoints.records,
    venues.records,
    healthcodes.records,
    registry.records,
    reporting.records,
    tracing.records,
    vaccination.records,
    testing.key_groups,
    vaccination.deferrals,
    testing.records,
    supplies.records,
    disinfection.records,
    inspections.records,
    command.records,
    schools.records,
    markets.records,
    coldchain.records,
    surveillance.records,
]


def grid07_records(w, people) -> dict:
    """Records of grid 07 of every kind a route can point at, with the world's people."""
    records = dict(people)
    for make in MAKING_ORDER:
        made = make(w, records)
        if twice := records.keys() & made.keys():
            raise ValueError(f"{make.__module__}.{make.__name__} makes records named before: {sorted(twice)}")
        records |= made
    return records
