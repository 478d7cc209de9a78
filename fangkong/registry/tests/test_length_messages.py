"""Too long an entry is refused with the field's name and its limit, not Django's stock sentence."""

from fangkong.grid.forms import GridForm, UserCreateForm
from fangkong.grid.models import Jurisdiction
from fangkong.registry.tests.test_pages_persons import register_form


def test_it_names_the_field_and_its_limit_on_the_register_page(client, world):
    client.force_login(world.grid07_worker)
    response = client.post("/persons/new/", register_form(world, name="张" * 51, occupation="工" * 60))
    text = response.content.decode()
    assert "姓名不能超过50个字（现有51个）" in text
    assert "职业不能超过50个字（现有60个）" in text
    assert "确保该变量" not in text


def test_it_names_the_field_and_its_limit_on_grid_and_account_forms(world):
    grid = GridForm({"local_code": "123456789", "name": "网格"})
    account = UserCreateForm({"username": "u" * 151}, nodes=Jurisdiction.objects.none())
    assert grid.errors["local_code"] == ["网格编号不能超过8个字（现有9个）"]
    assert account.errors["username"] == ["用户名不能超过150个字（现有151个）"]
