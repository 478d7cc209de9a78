"""The API: stores, lots with their documents, a refused release (409 naming what is missing), movements,
samples, results and the trace."""

import pytest

from .conftest import DAY, clear_warehouse


@pytest.fixture
def api(client, world):
    client.force_login(world.county_admin)
    return client


def _post(client, url, body):
    return client.post(f"/api/v1{url}", body, content_type="application/json")


def test_the_api_walks_a_lot_from_arrival_to_trace(api, world, cold):
    lot = cold.lot.pk
    refused = _post(api, f"/cold-lots/{lot}/release", {})
    assert refused.status_code == 409
    assert "缺少入境货物检验检疫证明" in refused.json()["message"]
    for kind in ("inspection", "disinfection", "nat_report", "trace_info"):
        response = _post(
            api, f"/cold-lots/{lot}/documents", {"kind": kind, "number": f"N-{kind}", "issued_on": str(DAY)}
        )
        assert response.status_code == 201, response.content
    assert _post(api, f"/cold-lots/{lot}/release", {}).json()["missing_documents"] == []
    clear_warehouse(world.county_admin, cold)
    moved = _post(
        api,
        f"/cold-lots/{lot}/movements",
        {
            "source": cold.warehouse.pk,
            "target": cold.township.pk,
            "quantity": "300",
            "on": str(DAY),
            "exit_certificate": "CC-1",
        },
    )
    assert moved.status_code == 201, moved.content
    too_much = _post(
        api,
        f"/cold-lots/{lot}/movements",
        {"source": cold.township.pk, "buyer": "饭店", "quantity": "301", "on": str(DAY)},
    )
    assert too_much.status_code == 409
    sample = _post(
        api,
        "/cold-samples",
        {"store": cold.township.pk, "kind": "goods", "code": "A-1", "sampled_on": str(DAY), "lot": lot},
    )
    assert sample.status_code == 201, sample.content
    result = _post(
        api, f"/cold-samples/{sample.json()['id']}/result", {"result": "positive", "result_on": str(DAY)}
    )
    assert result.json()["result"] == "positive"
    trace = api.get(f"/api/v1/cold-samples/{sample.json()['id']}/trace").json()
    assert trace[0]["sealed"] is True
    assert [(s["store_name"], s["level"], s["balance"]) for s in trace[0]["stores"]] == [
        ("东昌府区进口冷链食品集中监管仓", 1, "700.00"),
        ("梁水镇冷库", 2, "300.00"),
    ]
    assert api.get("/api/v1/cold-movements", {"lot": lot}).json()["count"] == 2
    assert len(api.get("/api/v1/cold-stores").json()) == 4


def test_grid08_gets_404(client, world, cold):
    client.force_login(world.grid08_worker)
    assert client.get(f"/api/v1/cold-lots/{cold.lot.pk}/trace").status_code == 404
    assert client.get("/api/v1/cold-stores").json() == []
