"""The pinyin prefix search is a range query (so indexes serve it on SQLite); it must find exactly what
"starts with" finds."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.registry.models import Person
from fangkong.registry.queries import prefix_filter, search_filter

KEYS = [
    "zhangwei",
    "zhangw",
    "zw",
    "zz",
    "zzz",
    "zhao",
    "a",
    "az",
    "azz",
    "b",
    "ouyangxiu",
    "oyx",
    "ze",
    "zy",
]


@pytest.fixture
def keyed(world):
    for n, key in enumerate(KEYS):
        Person.objects.create(
            node=world.grid07,
            name=f"人{n}",
            name_pinyin=key,
            name_initials=key[:2],
            sex="male",
            id_number=f"X{n}",
            id_last4=f"{n:04d}",
            document_type="passport",
        )


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # read-only fixture
@given(prefix=st.text(alphabet="abhouwyz", min_size=1, max_size=4))
def test_it_finds_exactly_the_keys_that_start_with_the_prefix(keyed, prefix):
    found = set(
        Person.objects.filter(prefix_filter("name_pinyin", prefix)).values_list("name_pinyin", flat=True)
    )
    assert found == {k for k in KEYS if k.startswith(prefix)}


def test_it_finds_an_id_ending_in_x_by_its_last_four(world):
    from fangkong.registry.actions import register_person

    person = register_person(
        actor=world.grid07_worker, node=world.grid07, name="赵敏", id_number="11010519491231002X"
    )
    for typed in ("002X", "002x"):
        assert list(Person.objects.filter(search_filter(typed))) == [person]
