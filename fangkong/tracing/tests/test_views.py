"""The tracing pages as county and township staff use them: the case list with its clocks, reporting a case,
the case page (facts, events, trajectory, candidates by venue), running the search, deciding one by one or
all that the filters show, the township's worklist, clusters and the chain; people masked everywhere, and
the same number of queries for 2 rows as for 10."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.healthcodes.identity import identify
from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.tracing import actions, queries
from fangkong.tracing.models import Candidate, Case, Decision

from .conftest import at_time, use_preset


def client_for(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def searched(cases_world, admin):
    actions.search_contacts(actor=admin, case=cases_world.case)
    return {c.identity_id: c for c in queries.candidates_of(cases_world.case)}


# The case list -------------------------------------------------------------------------------------------


def test_it_lists_cases_masked_with_their_clocks(world, cases_world):
    page = client_for(world.county_admin).get(reverse("case_list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert cases_world.case.number in text
    assert "张*" in text and "张伟" not in text
    # Reported yesterday evening with no 网络直报 time: the 2-hour clock ran out.
    assert "超时·2小时内网络直报" in text


def test_it_filters_the_list_by_kind(world, cases_world):
    client = client_for(world.county_admin)
    assert (
        cases_world.case.number
        not in client.get(reverse("case_list"), {"kind": "suspected"}).content.decode()
    )
    assert cases_world.case.number in client.get(reverse("case_list"), {"kind": "confirmed"}).content.decode()


def test_it_hides_cases_from_another_grid(world, cases_world):
    page = client_for(world.grid08_worker).get(reverse("case_list"))
    assert cases_world.case.number not in page.content.decode()
    assert (
        client_for(world.grid08_worker).get(reverse("case_detail", args=[cases_world.case.pk])).status_code
        == 404
    )


def _more_cases(world, n: int):
    day = timezone.localdate() - dt.timedelta(days=1)
    start = Case.objects.count()
    for i in range(start, start + n):
        identity = identify(
            id_number=make("110105", dt.date(1990, 1, 1 + i), 100 + i),
            name=f"外来{i}",
            phone=f"1360000{i:04d}",
        )
        actions.report_case(
            actor=world.county_admin,
            node=world.county,
            kind="suspected",
            identity=identity,
            diagnosed_at=at_time(day, 8),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_lists_2_or_10_cases_in_the_same_number_of_queries(world, cases_world):
    client = client_for(world.county_admin)
    _more_cases(world, 1)
    two = _queries(client, reverse("case_list"))
    _more_cases(world, 8)
    assert Case.objects.count() == 10
    assert _queries(client, reverse("case_list")) == two


def test_it_shows_the_same_clocks_on_the_list_as_on_the_case(world, cases_world):
    admin = world.county_admin
    searched(cases_world, admin)
    _more_cases(world, 2)
    case = cases_world.case
    actions.mark_investigation(actor=admin, case=case, core_at=case.diagnosed_at + dt.timedelta(hours=3))
    now = timezone.now()
    cases = list(Case.objects.select_related("node"))
    assert queries.clocks_of_many(cases, now=now) == [queries.clocks_of(c, now) for c in cases]


# Reporting a case ----------------------------------------------------------------------------------------


def test_it_reports_a_case_of_a_registered_person(world, people):
    client = client_for(world.county_admin)
    found = client.post(reverse("case_create"), {"text": "zhangwei"})
    assert f"?person={people['zhang'].pk}" in found.content.decode()
    day = timezone.localdate() - dt.timedelta(days=1)
    answer = client.post(
        reverse("case_create") + f"?person={people['zhang'].pk}",
        {
            "kind": "confirmed",
            "diagnosed_at": f"{day:%Y-%m-%d}T20:00",
            "source": "local",
            "onset_on": f"{day:%Y-%m-%d}",
        },
    )
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("case_detail", args=[case.pk])
    assert (case.person, case.node, case.kind, case.onset_on) == (
        people["zhang"],
        world.grid07,
        "confirmed",
        day,
    )


def test_it_finds_someone_not_registered_here_by_id_number(world, people):
    number = make("110105", dt.date(1988, 8, 8), 64)
    identity = identify(id_number=number, name="陈静", phone="13600003333")
    client = client_for(world.county_admin)
    found = client.post(reverse("case_create"), {"text": number}).content.decode()
    assert f"?identity={identity.pk}" in found and "陈*" in found and "陈静" not in found
    day = timezone.localdate() - dt.timedelta(days=1)  # 08:00 today is still ahead before 08:00
    client.post(
        reverse("case_create") + f"?identity={identity.pk}",
        {"kind": "asymptomatic", "diagnosed_at": f"{day:%Y-%m-%d}T08:00", "source": "other_province"},
    )
    case = Case.objects.get()
    assert (case.identity, case.person, case.node) == (identity, None, world.county)


def test_it_shows_why_a_case_was_not_reported(world, people):
    answer = client_for(world.county_admin).post(
        reverse("case_create") + f"?person={people['zhang'].pk}",
        {"kind": "confirmed", "diagnosed_at": "2099-01-01T08:00", "source": "local"},
    )
    assert answer.status_code == 200 and not Case.objects.exists()
    assert 'class="error"' in answer.content.decode()


# The case page -------------------------------------------------------------------------------------------


def test_it_shows_the_case_masked_with_its_trajectory(world, cases_world):
    page = client_for(world.county_admin).get(reverse("case_detail", args=[cases_world.case.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "张*" in text and "张伟" not in text and "13812345678" not in text
    assert "前屯农家饭庄" in text and "前屯便民超市" in text  # his check-ins in the window
    assert "场所扫码" in text


def test_it_audits_a_visit_to_the_case_page_once_not_each_filter(world, cases_world):
    from fangkong.audit.models import Action, AuditEvent

    client = client_for(world.county_admin)
    url = reverse("case_detail", args=[cases_world.case.pk])
    client.get(url)
    client.get(url, {"min_minutes": 15}, headers={"HX-Request": "true"})
    views = AuditEvent.objects.filter(action=Action.VIEW_PERSON, actor=world.county_admin)
    assert [(v.target_id, v.detail["case"]) for v in views] == [
        (str(cases_world.case.person_id), cases_world.case.pk)
    ]


def test_it_records_an_event_and_an_entry(world, cases_world):
    client = client_for(world.county_admin)
    case = cases_world.case
    at = case.diagnosed_at + dt.timedelta(hours=1)
    client.post(
        reverse("case_event_add", args=[case.pk]),
        {"kind": "discharged", "at": f"{timezone.localtime(at):%Y-%m-%dT%H:%M}"},
    )
    case.refresh_from_db()
    assert case.outcome == "discharged"
    starts = timezone.localtime(cases_world.at - dt.timedelta(hours=3))
    client.post(
        reverse("case_entry_add", args=[case.pk]),
        {"kind": "workplace", "starts_at": f"{starts:%Y-%m-%dT%H:%M}", "place": "梁水镇供销社"},
    )
    entry = case.entries.get()
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "梁水镇供销社" in page and "出院" in page
    client.post(reverse("case_entry_remove", args=[case.pk, entry.pk]))
    assert not case.entries.exists()


def test_it_refuses_an_event_section_12_forbids(world, cases_world):
    case = cases_world.case
    answer = client_for(world.county_admin).post(
        reverse("case_event_add", args=[case.pk]),
        {"kind": "suspected", "at": f"{timezone.localtime(case.diagnosed_at):%Y-%m-%dT%H:%M}"},
    )
    assert answer.status_code == 422
    assert case.events.count() == 1


def test_it_keeps_a_stale_edit_from_overwriting(world, cases_world):
    case = cases_world.case
    client = client_for(world.county_admin)
    form = {
        "source": "local",
        "diagnosed_at": f"{timezone.localtime(case.diagnosed_at):%Y-%m-%dT%H:%M}",
        "hospital": "聊城市传染病医院",
        "version": case.version,
    }
    assert client.post(reverse("case_edit", args=[case.pk]), form).status_code == 302
    stale = client.post(reverse("case_edit", args=[case.pk]), {**form, "hospital": "另一家医院"})
    assert stale.status_code == 422
    case.refresh_from_db()
    assert case.hospital == "聊城市传染病医院"


def test_it_does_not_let_a_viewer_write(world, cases_world):
    client = client_for(world.grid07_viewer)
    case = cases_world.case
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("case_search", args=[case.pk])).status_code == 404
    assert not Candidate.objects.exists()


# Search and decisions ------------------------------------------------------------------------------------


def test_it_runs_the_search_and_groups_candidates_by_venue(world, cases_world):
    client = client_for(world.county_admin)
    case = cases_world.case
    answer = client.post(reverse("case_search", args=[case.pk]), follow=True)
    text = answer.content.decode()
    assert "检索完成" in text
    # 陈静 60 min, 王芳 40, 赵强 10 at the restaurant; 李秀英 as a household member; masked.
    assert text.index("陈*") < text.index("王*") < text.index("赵*")
    assert "王芳" not in text and "15066668888" not in text
    assert "同住人员和病例提供的人员" in text and "李*" in text
    # Run twice: nothing twice.
    count = Candidate.objects.count()
    client.post(reverse("case_search", args=[case.pk]))
    assert Candidate.objects.count() == count


def test_it_filters_candidates_with_htmx(world, cases_world):
    searched(cases_world, world.county_admin)
    client = client_for(world.county_admin)
    url = reverse("case_detail", args=[cases_world.case.pk])
    fragment = client.get(
        url, {"venue": cases_world.restaurant.pk, "min_minutes": 15}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'id="candidate-panel"' in fragment
    assert "陈*" in fragment and "王*" in fragment and "赵*" not in fragment
    assert "筛选结果 2 人" in fragment


def test_it_decides_all_the_filters_show_at_once(world, cases_world):
    """ "All who overlapped ≥ 15 minutes at this restaurant": filter, then decide all."""
    by_identity = searched(cases_world, world.county_admin)
    client = client_for(world.county_admin)
    case = cases_world.case
    answer = client.post(
        reverse("case_decide", args=[case.pk]),
        {"venue": cases_world.restaurant.pk, "min_minutes": 15, "decide_as": "close", "all": "1"},
    )
    assert answer.status_code == 302
    assert f"venue={cases_world.restaurant.pk}" in answer["Location"]
    ids = cases_world.identities
    decided = {c.identity_id: c for c in Candidate.objects.filter(case=case)}
    assert decided[ids["wang"].pk].decision == Decision.CLOSE
    assert decided[ids["chen"].pk].decision == Decision.CLOSE
    assert decided[ids["zhao"].pk].decision == Decision.PENDING  # 10 minutes: not shown, not decided
    assert decided[ids["wang"].pk].measure is not None  # registered here: under a measure
    assert decided[ids["chen"].pk].handed_over_at is not None  # registered nowhere here: handed over
    assert by_identity  # the search found them before


def test_it_decides_one_row(world, cases_world):
    by_identity = searched(cases_world, world.county_admin)
    zhao = by_identity[cases_world.identities["zhao"].pk]
    client_for(world.county_admin).post(
        reverse("case_decide", args=[cases_world.case.pk]),
        {"one": f"{zhao.pk}:cleared", "decide_as": "close"},
    )
    zhao.refresh_from_db()
    assert zhao.decision == Decision.CLEARED
    assert Candidate.objects.filter(decision=Decision.CLOSE).count() == 0


def test_it_asks_what_to_decide(world, cases_world):
    searched(cases_world, world.county_admin)
    answer = client_for(world.county_admin).post(
        reverse("case_decide", args=[cases_world.case.pk]), {"decide_as": "close"}
    )
    assert answer.status_code == 422
    assert "请勾选要判定的人员" in answer.content.decode()


def _more_candidates(case, n: int):
    start = case.candidates.count()
    for i in range(start, start + n):
        actions.name_contact(actor=case.recorded_by, case=case, name=f"同事{i}", relation="同事")


def test_it_shows_the_case_page_in_the_same_number_of_queries_for_2_or_10_candidates(world, cases_world):
    client = client_for(world.county_admin)
    case = cases_world.case
    url = reverse("case_detail", args=[case.pk])
    _more_candidates(case, 2)
    two = _queries(client, url)
    _more_candidates(case, 8)
    assert case.candidates.count() == 10
    assert _queries(client, url) == two


# Downloads -----------------------------------------------------------------------------------------------


def test_it_downloads_the_report_and_the_hand_over_list_audited(world, cases_world):
    by_identity = searched(cases_world, world.county_admin)
    chen = by_identity[cases_world.identities["chen"].pk]
    actions.decide(actor=world.county_admin, candidates=[chen], decision="close")
    client = client_for(world.county_admin)
    case = cases_world.case
    docx = client.get(reverse("case_report", args=[case.pk]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    xlsx = client.get(reverse("case_handover", args=[case.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 2


def test_it_keeps_the_full_report_from_a_viewer(world, cases_world):
    client = client_for(world.grid07_viewer)
    assert client.get(reverse("case_report", args=[cases_world.case.pk]), {"full": "1"}).status_code == 404


# The township ---------------------------------------------------------------------------------------------


def test_it_lists_contacts_in_the_township_worklist(world, cases_world):
    by_identity = searched(cases_world, world.county_admin)
    wang = by_identity[cases_world.identities["wang"].pk]
    actions.decide(actor=world.county_admin, candidates=[wang], decision="close")
    page = client_for(world.township_admin).get(reverse("contact_worklist")).content.decode()
    assert "王*" in page and "王芳" not in page
    assert cases_world.case.number in page
    assert "未管控" not in page
    # The grid-07 worker sees nothing of grid 08's contact.
    assert "王*" not in client_for(world.grid07_worker).get(reverse("contact_worklist")).content.decode()


def test_it_lists_clusters_and_draws_the_chain(world, cases_world):
    admin = world.county_admin
    second = actions.report_case(
        actor=admin,
        node=world.grid07,
        kind="confirmed",
        person=cases_world.li,
        diagnosed_at=cases_world.case.diagnosed_at + dt.timedelta(hours=2),
    )
    client = client_for(admin)
    # The investigation finds who infected whom: the chain draws it.
    edited = client.post(
        reverse("case_edit", args=[second.pk]),
        {
            "source": "local",
            "diagnosed_at": f"{timezone.localtime(second.diagnosed_at):%Y-%m-%dT%H:%M}",
            "infected_by": cases_world.case.number,
            "version": second.version,
        },
    )
    assert edited.status_code == 302
    second.refresh_from_db()
    assert second.infected_by == cases_world.case
    clusters = client.get(reverse("cluster_list")).content.decode()
    assert "同住家庭" in clusters and "前屯村七组12号" in clusters
    chain = client.get(reverse("case_chain")).content.decode()
    assert 'id="chain-data"' in chain and "echarts-5.6.0.min.js" in chain and "tracing/chain.js" in chain
    assert cases_world.case.number in chain
    assert "1 条关系" in chain and '<td data-label="关系">传染</td>' in chain


@pytest.mark.parametrize("name", ["case_list", "contact_worklist", "cluster_list", "case_chain"])
def test_it_shows_nothing_to_an_account_with_no_area(world, cases_world, name):
    answer = client_for(world.outsider).get(reverse(name))
    assert answer.status_code in (200, 404)
    assert cases_world.case.number.encode() not in answer.content


def test_it_lists_2_or_10_contacts_in_the_worklist_in_the_same_number_of_queries(world, cases_world):
    admin = world.county_admin
    case = cases_world.case
    client = client_for(world.township_admin)
    url = reverse("contact_worklist")

    def named(n):
        start = case.candidates.count()
        for i in range(start, start + n):
            person = registry_actions.register_person(
                actor=admin,
                node=world.grid08,
                household=cases_world.wang.household,
                name=f"王同事{i}",
                relation="other",
                id_number=make("371502", dt.date(1980, 1, 1 + i), 200 + i),
                phone=f"1390000{i:04d}",
            )
            actions.name_contact(
                actor=admin, case=case, name=person.name, id_number=person.id_number, person=person
            )
        actions.decide(
            actor=admin, candidates=list(queries.candidates_of(case, decision="pending")), decision="close"
        )

    named(2)
    two = _queries(client, url)
    named(8)
    assert Candidate.objects.filter(decision=Decision.CLOSE).count() >= 10
    assert _queries(client, url) == two


def test_it_searches_a_close_contacts_contacts_when_the_policy_says_so(world, cases_world):
    by_identity = searched(cases_world, world.county_admin)
    wang = by_identity[cases_world.identities["wang"].pk]
    actions.decide(actor=world.county_admin, candidates=[wang], decision="close")
    client = client_for(world.county_admin)
    url = reverse("case_detail", args=[cases_world.case.pk])
    assert reverse("candidate_secondary", args=[wang.pk]) in client.get(url).content.decode()
    answer = client.post(reverse("candidate_secondary", args=[wang.pk]), follow=True)
    assert "密接的密接检索完成" in answer.content.decode()


def test_it_offers_no_secondary_search_after_2022_11(world, cases_world):
    use_preset(world, "2022-12")
    by_identity = searched(cases_world, world.county_admin)
    wang = by_identity[cases_world.identities["wang"].pk]
    actions.decide(actor=world.county_admin, candidates=[wang], decision="close")
    page = client_for(world.county_admin).get(reverse("case_detail", args=[cases_world.case.pk]))
    assert reverse("candidate_secondary", args=[wang.pk]) not in page.content.decode()
