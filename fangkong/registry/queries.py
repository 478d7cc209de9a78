"""Reads of the registry, all scoped through grid.scoping."""

import re

from django.db.models import Q, QuerySet

from fangkong.grid import scoping
from fangkong.lib.idcard import normalize

from .models import Household, Person, Unit

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


def search_filter(text: str) -> Q:
    """What a search box means: Chinese → name; latin letters → full pinyin or initials
    (张伟: zhangwei, zhangw, zw); four digits → end of the ID or phone; more digits → ID or phone."""
    text = normalize(text.strip()).lower()
    if not text:
        return Q()
    if _LATIN.match(text):
        return Q(name_pinyin__startswith=text) | Q(name_initials__startswith=text)
    if text.isdigit() and len(text) == 4:
        return Q(id_last4=text) | Q(phone_last4=text)
    if text.rstrip("x").isdigit() and len(text) > 4:
        return Q(id_number=text.upper()) | Q(phone=text)
    return Q(name__contains=text)


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
