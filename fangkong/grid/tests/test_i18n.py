"""The interface language: Chinese by default whatever the browser asks for, English when the user
chooses it with the language switch (a cookie), and a committed English catalog (.mo) that matches its .po."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from fangkong.conftest import PASSWORD

LC_MESSAGES = Path(settings.BASE_DIR) / "fangkong" / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (GNU gettext) not installed")

# The main navigation as a grid worker sees it, in each language.
NAV_ZH = [
    "首页",
    "辖区",
    "户",
    "人员",
    "单位",
    "重点人员",
    "今日随访",
    "预警",
    "总览",
    "台账导入",
    "台账导出",
]
NAV_EN = ["Home", "Jurisdiction", "Households", "People", "Units", "Key persons", "Alerts", "Overview"]


def login_page(client, **headers) -> str:
    response = client.get("/login/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Choosing the language -----------------------------------------------------------------------------


def test_the_login_page_is_in_chinese_by_default(client, world):
    html = login_page(client)

    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html
    assert ">用户名<" in html and ">密码<" in html
    assert ">English</button>" in html  # the switch offers the other language


def test_the_login_page_is_in_english_with_the_language_cookie(client, world):
    html = login_page(english(client))

    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html and ">Log in</button>" in html
    assert ">Username<" in html and ">Password<" in html
    assert "登录" not in html and "用户名" not in html
    assert ">中文</button>" in html


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9"])
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, world, accept):
    html = login_page(client, HTTP_ACCEPT_LANGUAGE=accept)

    assert '<html lang="zh-hans">' in html and "<h1>登录</h1>" in html


def test_a_chinese_browser_gets_chinese(client, world):
    html = login_page(client, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")

    assert '<html lang="zh-hans">' in html and "<h1>登录</h1>" in html


def test_the_cookie_beats_the_browser_language(client, world):
    html = login_page(english(client), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert "<h1>Log in</h1>" in html


def test_the_switch_sets_the_cookie_before_logging_in(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Log in</h1>" in login_page(client)


def test_an_english_login_still_logs_in(client, world):
    response = english(client).post("/login/", {"username": "grid07_worker", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"


# Pages after logging in ----------------------------------------------------------------------------


def nav_of(html: str) -> str:
    return html.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]


def test_the_home_page_navigation_is_in_chinese_by_default(client, world):
    client.force_login(world.grid07_worker)

    nav = nav_of(client.get("/").content.decode())

    for label in NAV_ZH:
        assert f">{label}</a>" in nav


def test_the_home_page_is_in_english_for_a_persona_who_chose_english(client, world):
    client.force_login(world.grid07_worker)

    html = english(client).get("/").content.decode()

    assert '<html lang="en">' in html
    nav = nav_of(html)
    for label in NAV_EN:
        assert f">{label}</a>" in nav
    for label in NAV_ZH:
        assert f">{label}</a>" not in nav
    assert ">Log out</button>" in html and "退出" not in html
    assert "<h1>Home</h1>" in html
    assert "<span>Registered residents</span>" in html and "<span>Grids</span>" in html


def test_an_admin_sees_the_admin_links_in_english(client, world):
    client.force_login(world.county_admin)

    nav = nav_of(english(client).get("/").content.decode())

    assert ">Accounts</a>" in nav and ">Audit log</a>" in nav


# The committed catalog -----------------------------------------------------------------------------


def messages_of(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


@needs_msgfmt
def test_the_committed_mo_is_compiled_from_the_po(tmp_path):
    """The .mo is committed so that running the site needs no gettext: it must match the .po."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True)

    if fresh.read_bytes() != MO.read_bytes():  # another msgfmt version may lay the same messages out anew
        assert messages_of(MO) == messages_of(fresh), (
            f"{MO} is stale: run `make messages` (or compilemessages -l en) and commit it"
        )


@needs_msgfmt
def test_every_entry_of_the_po_is_translated():
    """A string added to the UI and extracted by `make messages` needs its English before it lands."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        check=True,
        capture_output=True,
        text=True,
    )

    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
