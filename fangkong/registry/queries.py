"""Reads of the registry, all scoped through grid.scoping."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.idcard import normalize

from .models import Household, Person, Residence, Unit, Verification

_LATIN = re.compile(r"^[a-z]+$")


def persons_visible_to(user) -> QuerySet[Person]:
    return scoping.visible_to(user, Person.objects.all(), path_field="node__path")


def households_visible_to(user) -> QuerySet[Household]:
    return scoping.visible_to(user, Household.objects.all(), path_field="node__path")


def units_visible_to(user) -> QuerySet[Unit]:
    return scoping.visible_to(user, Unit.objects.all(), path_field="node__path")


def access_person(user, pk, *, write: bool = False) -> Person:
    return scoping.access(
        user,
        Person.objects.select_related("node", "household", "unit"),
        pk,
        path_field="node__path",
        write=write,
    )


def access_household(user, pk, *, write: bool = False) -> Household:
    return scoping.access(
        user, Household.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def prefix_filter(field: str, prefix: str) -> Q:
    """`field` starts with a lowercase-letter prefix, as a range that an ordinary index serves on every
    database (SQLite cannot use an index for LIKE 'x%'): zw ≤ value < zx."""
    stem = prefix.rstrip("z")
    if not stem:  # "z", "zz": nothing sorts after the prefix but its own extensions
        return Q(**{f"{field}__gte": prefix})
    upper = stem[:-1] + chr(ord(stem[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def search_filter(text: str) -> Q:
    """What a search box means: Chinese → name; latin letters → full pinyin or initials
    (张伟: zhangwei, zhangw, zw); four digits → end of the ID or phone; more digits → ID or phone."""
    text = normalize(text.strip()).lower()
    if not text:
        return Q()
    if _LATIN.match(text):
        return prefix_filter("name_pinyin", text) | prefix_filter("name_initials", text)
    if len(text) == 4 and text[:3].isdigit() and (text[3].isdigit() or text[3] == "x"):
        return Q(id_last4=text.upper()) | Q(phone_last4=text)
    if text.rstrip("x").isdigit() and len(text) > 4:
        return Q(id_number=text.upper()) | Q(phone=text)
    return Q(name__contains=text)


def holds_number(text: str) -> bool:
    """Whether a search holds digits of an ID or phone number (four or more): such a search is kept
    out of addresses and access logs."""
    return sum(char.isdigit() for char in text) >= 4


def search_persons(
    user, *, text: str = "", node_code: str = "", verification: str = "", sex: str = ""
) -> QuerySet[Person]:
    persons = persons_visible_to(user).select_related("node", "household")
    if text:
        persons = persons.filter(search_filter(text))
    if node_code:
        node = scoping.access_jurisdiction(user, node_code)
        persons = persons.filter(node__path__startswith=node.path)
    if verification:
        persons = persons.filter(verification=verification)
    if sex:
        persons = persons.filter(sex=sex)
    return persons


# Read helpers for the web pages (registry/views.py).

FILTER_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


def writable_nodes(user, levels) -> QuerySet[Jurisdiction]:
    """The nodes of these levels where the user may write (actions.RESIDENTIAL_LEVELS, UNIT_LEVELS)."""
    return (
        scoping.visible_jurisdictions(user, scoping.WRITE).filter(level__in=levels).select_related("parent")
    )


def filter_nodes(user, selected: str = "") -> QuerySet[Jurisdiction]:
    """The nodes a list may be narrowed to: the user's own nodes and their children (township and
    below), plus the node already chosen (reached from the tree). A county has hundreds of villages:
    listing them all would make the page heavy on a phone; the tree leads further down."""
    tops = scoping.nodes_with(user)
    near = Q(pk__in=[n.pk for n in tops]) | Q(parent__in=[n.pk for n in tops])
    if selected:
        near |= Q(code=selected)
    return scoping.visible_jurisdictions(user).filter(near, level__in=FILTER_LEVELS).select_related("parent")


def search_households(user, *, text: str = "", node_code: str = "") -> QuerySet[Household]:
    """Households in the user's area with their member count, counted in the same query."""
    households = (
        households_visible_to(user)
        .select_related("node")
        .annotate(member_count=Count("members"))
        .order_by("node__path", "address_key", "id")  # Meta.ordering is dropped in GROUP BY queries
    )
    if text:
        households = households.filter(address__contains=text.strip())
    if node_code:
        node = scoping.access_jurisdiction(user, node_code)
        households = households.filter(node__path__startswith=node.path)
    return households


def members_of(user, household: Household) -> QuerySet[Person]:
    return persons_visible_to(user).filter(household=household).order_by("relation", "name_pinyin", "id")


def residences_of(person: Person) -> QuerySet[Residence]:
    return person.residences.select_related("node", "household", "recorded_by").order_by("started_at", "id")


def search_units(user, *, text: str = "", kind: str = "", node_code: str = "") -> QuerySet[Unit]:
    units = units_visible_to(user).select_related("node")
    if text:
        units = units.filter(name__contains=text.strip())
    if kind:
        units = units.filter(kind=kind)
    if node_code:
        node = scoping.access_jurisdiction(user, node_code)
        units = units.filter(node__path__startswith=node.path)
    return units


# The tree with counts -----------------------------------------------------------------------------
# Households and persons under each node, computed in the database (aggregates and correlated
# subqueries), never by loading rows.

VERIFIED = (Verification.IN_PERSON, Verification.BY_PHONE)


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal, rounded half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def subtree_counts(user, node: Jurisdiction) -> dict:
    """Townships, villages, grids, households, persons and the verified rate under a node."""
    nodes = (
        scoping.visible_jurisdictions(user)
        .filter(path__startswith=node.path)
        .aggregate(
            townships=Count("pk", filter=Q(level=Level.TOWNSHIP)),
            villages=Count("pk", filter=Q(level=Level.VILLAGE)),
            grids=Count("pk", filter=Q(level=Level.GRID)),
        )
    )
    households = households_visible_to(user).filter(node__path__startswith=node.path).count()
    persons = (
        persons_visible_to(user)
        .filter(node__path__startswith=node.path)
        .aggregate(persons=Count("pk"), verified=Count("pk", filter=Q(verification__in=VERIFIED)))
    )
    return {
        **nodes,
        "households": households,
        **persons,
        "verified_pct": percent(persons["verified"], persons["persons"]),
    }


def _count_under(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of the queryset's rows under the outer node, as a correlated subquery."""
    counted = (
        queryset.filter(node__path__startswith=OuterRef("path"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(user, nodes: QuerySet) -> QuerySet:
    """The nodes annotated with household_count and person_count of their subtrees, in one query."""
    return nodes.annotate(
        household_count=_count_under(households_visible_to(user)),
        person_count=_count_under(persons_visible_to(user)),
    ).order_by("path")


def children_with_counts(user, node: Jurisdiction) -> QuerySet:
    return with_counts(user, scoping.visible_jurisdictions(user).filter(parent=node))


def tops_with_counts(user) -> QuerySet:
    """The top nodes of the user's area (their memberships), with counts."""
    codes = [n.code for n in scoping.nodes_with(user)]
    return with_counts(user, scoping.visible_jurisdictions(user).filter(code__in=codes))
