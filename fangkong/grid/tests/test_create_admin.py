"""`fangkong create-admin`: the first county administrator of a real installation, whose password is
read from stdin or asked twice, checked by the password validators; the new admin logs in and sees
the county."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from fangkong.audit.models import Action, AuditEvent
from fangkong.grid.models import Membership, Role

GOOD = "Liaocheng-Admin-2026"


def create_admin(*, stdin: str = "", **options) -> str:
    out = io.StringIO()
    call_command("create_admin", stdin=io.StringIO(stdin), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_it_creates_the_first_county_admin_who_logs_in_and_sees_the_county(world, people, client):
    printed = create_admin(
        username="dcf_admin",
        node=world.county.code,
        full_name="县指挥部",
        password_stdin=True,
        stdin=GOOD + "\n",
    )

    assert "dcf_admin" in printed
    membership = Membership.objects.get(user__username="dcf_admin")
    assert (membership.node, membership.role) == (world.county, Role.ADMIN)
    assert AuditEvent.objects.filter(action=Action.USER_CHANGE, detail__change="create_admin").count() == 1
    response = client.post("/login/", {"username": "dcf_admin", "password": GOOD})
    assert response.status_code == 302
    persons = client.get("/persons/")
    assert {p.name for p in persons.context["page"]} == {"张伟", "李秀英", "王芳"}
    assert "东昌府区" in client.get("/tree/").content.decode()


def test_it_prints_json_for_scripts(world):
    printed = create_admin(
        username="dcf_admin", node=world.county.code, password_stdin=True, stdin=GOOD, json=True
    )
    assert json.loads(printed) == {"username": "dcf_admin", "node": world.county.code, "role": "admin"}


def test_it_asks_the_password_twice_when_interactive(world, monkeypatch):
    answers = iter([GOOD, "Liaocheng-Admin-2027", GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    out = io.StringIO()
    call_command("create_admin", username="dcf_admin", node=world.county.code, stdin=terminal, stdout=out)
    assert Membership.objects.filter(user__username="dcf_admin", role=Role.ADMIN).exists()


@pytest.mark.parametrize(
    ("options", "stdin", "reason"),
    [
        ({"node": "371502"}, "123", "密码"),  # too short, all digits
        ({"node": "999999"}, GOOD, "辖区"),  # no such node
        ({"node": "371502103201"}, GOOD, "管理员"),  # a village has no administrator
    ],
)
def test_it_refuses_with_a_reason_and_creates_nobody(world, options, stdin, reason):
    with pytest.raises(CommandError, match=reason):
        create_admin(username="dcf_admin", password_stdin=True, stdin=stdin, **options)
    assert not Membership.objects.filter(user__username="dcf_admin").exists()


def test_it_refuses_a_username_already_taken(world):
    with pytest.raises(CommandError, match="用户名已被使用"):
        create_admin(username="county_admin", node=world.county.code, password_stdin=True, stdin=GOOD)


def test_it_wants_password_stdin_without_a_terminal(world):
    with pytest.raises(CommandError, match="--password-stdin"):
        create_admin(username="dcf_admin", node=world.county.code, stdin=GOOD)
