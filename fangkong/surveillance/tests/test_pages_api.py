"""The pages and the API of early warning, as a clinic's desk, a township and a system use them."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.grid.actions import issue_api_token
from fangkong.surveillance.models import ClinicVisits, SignalAlert


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="发热门诊")
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_entry_page_keeps_empty_as_not_reported(world, clinics):
    client = login(world.county_admin)
    today = timezone.localdate()
    url = f"/surveillance/clinics/?node={world.county.code}&day={today.isoformat()}"
    page = client.get(url)
    assert page.status_code == 200 and "前屯卫生室发热哨点" in page.content.decode()
    response = client.post(url, {f"visits_{clinics['front'].pk}": "7", f"visits_{clinics['back'].pk}": ""})
    assert response.status_code == 302
    assert ClinicVisits.objects.get(clinic=clinics["front"], day=today).visits == 7
    assert not ClinicVisits.objects.filter(clinic=clinics["back"]).exists()
    bad = client.post(url, {f"visits_{clinics['front'].pk}": "-2"})
    assert bad.status_code == 200 and ClinicVisits.objects.get(clinic=clinics["front"], day=today).visits == 7


def test_signals_page_button_and_rt(world, visits):
    client = login(world.township_admin)
    day = visits["end"].isoformat()
    response = client.post(f"/surveillance/run/?node={world.township.code}&day={day}")
    assert response.status_code == 302
    assert SignalAlert.objects.filter(node=world.village, day=visits["end"]).exists()
    page = client.get(f"/surveillance/?node={world.township.code}&day={day}")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "前屯村委会" in text
    assert client.get(f"/surveillance/rt/?node={world.township.code}").status_code == 200
    # a grid worker cannot run it for the township
    assert (
        login(world.grid07_worker).post(f"/surveillance/run/?node={world.township.code}").status_code == 404
    )


def test_api(world, clinics, visits):
    client = api(world.county_admin)
    day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = client.post(
        "/api/v1/fever-clinic-visits",
        {"clinic": clinics["back"].pk, "day": day, "visits": 4},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    series = client.get(
        f"/api/v1/surveillance/{world.township.code}/series", {"day": visits["end"].isoformat()}
    )
    assert series.status_code == 200
    clinic = next(s for s in series.json() if s["code"] == "clinic_visits")
    assert clinic["rows"][-1]["value"] == visits["front"][-1] + 3
    assert client.get(f"/api/v1/surveillance/{world.township.code}/rt").status_code == 200
    assert client.get("/api/v1/fever-clinics").json()[0]["name"]
    assert (
        api(world.grid08_worker).get(f"/api/v1/surveillance/{world.township.code}/series").status_code == 404
    )


def test_risk_and_five_colour_pages(world, people):
    from fangkong.surveillance.models import RiskDecision
    from fangkong.tracing.actions.cases import report_case

    day = timezone.localdate()
    at = timezone.now() - dt.timedelta(hours=1)
    report_case(
        actor=world.county_admin, node=world.grid07, kind="confirmed", diagnosed_at=at, person=people["zhang"]
    )
    client = login(world.county_admin)
    url = f"/surveillance/risk/?node={world.county.code}&day={day.isoformat()}&preset=2022-11"
    assert client.post(url).status_code == 302
    decision = RiskDecision.objects.get(node=world.grid07, day=day)
    page = client.get(url)
    assert page.status_code == 200 and "第七网格" in page.content.decode()
    assert client.post(url, {"decision": decision.pk, "level": ""}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == "confirmed"
    colours = client.get(f"/surveillance/five-colour/?node={world.county.code}")
    assert colours.status_code == 200 and 'data-colour="yellow"' in colours.content.decode()
    # a township admin sees the map but cannot confirm
    township = login(world.township_admin)
    assert township.get(f"/surveillance/five-colour/?node={world.township.code}").status_code == 200


def test_api_risk_and_five_colour(world, people):
    from fangkong.surveillance import actions as surveillance_actions
    from fangkong.tracing.actions.cases import report_case

    report_case(
        actor=world.county_admin,
        node=world.grid07,
        kind="confirmed",
        diagnosed_at=timezone.now() - dt.timedelta(hours=1),
        person=people["zhang"],
    )
    surveillance_actions.propose_risk_areas(county=world.county, day=timezone.localdate(), rule="2022-11")
    client = api(world.county_admin)
    rows = client.get(f"/api/v1/surveillance/{world.county.code}/risk-decisions").json()
    assert [(r["node"], r["level"]) for r in rows] == [(world.grid07.code, "high")]
    colours = {
        r["node"]: r for r in client.get(f"/api/v1/surveillance/{world.county.code}/five-colour").json()
    }
    assert colours[world.township.code]["total"] == 1 and colours[world.township.code]["colour"] == "yellow"
