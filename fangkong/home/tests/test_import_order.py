"""Dependencies run one way (STYLE.md convention 16): a package imports only the packages below it in
ORDER, and the project's root modules (settings, urls, api, cli, …) stand above them all. Migrations
obey like any code. Tests may import lower packages too, and the root conftest (the tiny world)."""

import ast
from pathlib import Path

FANGKONG = Path(__file__).resolve().parents[2]

ORDER = [
    "lib",  # pure helpers: no models, no app
    "formats",  # dates as users write them, per language (settings.FORMAT_MODULE_PATH)
    "audit",  # the audit log's model and `record`, which every write above calls
    "grid",  # the tree, accounts and scoping, login, API auth and what every API router shares
    "policy",  # what policy decides per jurisdiction: durations, thresholds
    "registry",  # households, persons, units
    "imports",  # spreadsheets in and out: reading, values, writing, batches, uploads
    "measures",  # key persons, measures, follow-ups, sites, their ledgers
    "healthcodes",  # identities, the rule table, colours, tokens, manual colours, appeals, risk areas
    "checkpoints",  # checkpoints, duty shifts, passages and their ledger
    "venues",  # venues, posters, check-ins and their retention
    "tracing",  # cases, investigation, the co-presence search, contacts and their decisions
    "vaccination",  # vaccination sites, doses, deferrals, completion per product, coverage
    "testing",  # sampling, pooled tests, lab results, test schedules, mass-testing rounds
    "supplies",  # supplies: items, stores, batches, movements, balances, donations
    "disinfection",  # places to disinfect, their entries and compliance
    "inspections",  # checklist templates, inspections of units and venues, rectification orders, closures
    "command",  # the command's working groups, tasks, the 24-hour duty roster and its log
    "coldchain",  # cold stores, imported lots and their documents, movements, samples, the goods trace
    "schools",  # schools, classes, rosters, morning and noon checks, illness absences, class alerts
    "markets",  # market supervision: pharmacies (weekly sales, real-name purchases, fever-buyer follow-ups), gatherings; market inspections use inspections
    "surveillance",  # early warning: series, EARS aberrations, R_t, risk areas by rule, the five-colour map
    "codes",  # only the migration history of the tables the three apps above took over
    "reporting",  # daily reports, indicators, the dashboard
    "situation",  # the situation report: its text, the .docx and .pdf
    "home",  # what gathers many apps: the home page, the demo loader, the schedule
    "tests_scoping",  # tests that walk every app's routes
    "tests_browser",  # tests that drive a browser through several apps
]
RANK = {name: rank for rank, name in enumerate(ORDER)} | {"": len(ORDER)}  # "": a root module, fangkong/*.py


def _imports(path: Path):
    """(line, package) of every import of fangkong in the file, relative imports resolved."""
    here = ["fangkong", *path.relative_to(FANGKONG).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) + 1 - node.level] if node.level else []
            names = [".".join([*base, *filter(None, [node.module]), alias.name]) for alias in node.names]
        else:
            continue
        for name in names:
            parts = [*name.split("."), ""]
            if parts[0] == "fangkong":
                yield node.lineno, name, parts[1] if parts[1] and (FANGKONG / parts[1]).is_dir() else ""


def test_it_places_every_package():
    packages = {path.relative_to(FANGKONG).parts[0] for path in FANGKONG.glob("*/**/*.py")}
    assert packages <= set(ORDER), f"declare the new packages in ORDER: {sorted(packages - set(ORDER))}"


def test_it_imports_only_from_below():
    wrong = set()
    for path in FANGKONG.rglob("*.py"):
        parts = path.relative_to(FANGKONG).parts
        src = parts[0] if len(parts) > 1 else ""
        is_test = "tests" in parts or src.startswith("tests_") or path.name == "conftest.py"
        for line, name, dst in _imports(path):
            if is_test and name.startswith("fangkong.conftest"):
                continue  # the tiny world every test lives in
            if RANK.get(dst, RANK[""]) > RANK.get(src, RANK[""]):
                wrong.add((str(path.relative_to(FANGKONG.parent)), line, src, dst or "the root"))
    found = [f"{path}:{line}: {src} may not import {dst}" for path, line, src, dst in sorted(wrong)]
    assert not found, "imports from above (see ORDER):\n" + "\n".join(found)
