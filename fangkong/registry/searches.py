"""Searches that may hold an ID or phone number, for every list that searches people.

Such a search is POSTed; its filters are kept in the user's session under a random token, which is all
that addresses (pager links, the address bar, access logs, browser history) carry. A token lives
SEARCH_TOKEN_SECONDS and a user keeps at most KEPT of them. A GET carrying a number is refused.
Searches without a number keep their plain, bookmarkable address."""

import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .queries import holds_number

KEPT = 20


def data_of(params, fields) -> dict:
    return {name: params[name] for name in fields if params.get(name)}


def remember(request, data: dict) -> str:
    now = time.time()
    kept = {
        token: entry for token, entry in request.session.get("searches", {}).items() if entry["until"] > now
    }
    token = secrets.token_urlsafe(12)
    kept[token] = {"data": data, "until": now + settings.SEARCH_TOKEN_SECONDS}
    request.session["searches"] = dict(sorted(kept.items(), key=lambda item: item[1]["until"])[-KEPT:])
    return urlencode({"t": token})


def recall(request, token: str) -> dict | None:
    entry = request.session.get("searches", {}).get(token)
    return entry["data"] if entry and entry["until"] > time.time() else None


def read(request, fields, *, url_name: str) -> tuple[dict, str] | HttpResponse:
    """The search's filters and the query string its pages carry, or a redirect that refuses a number
    in the address (or an expired token)."""
    if request.method == "POST":
        data = data_of(request.POST, fields)
        return data, remember(request, data) if holds_number(data.get("text", "")) else urlencode(data)
    if holds_number(request.GET.get("text", "")):
        messages.error(request, _("按证件号或电话查找请在搜索框中输入，号码不放在网址中"))
        params = request.GET.copy()
        params.pop("text")
        return redirect(f"{reverse(url_name)}?{params.urlencode()}")
    if "t" in request.GET:
        data = recall(request, request.GET["t"])
        if data is None:
            messages.error(request, _("查询已过期，请重新输入"))
            return redirect(url_name)
        return data, urlencode({"t": request.GET["t"]})
    data = data_of(request.GET, fields)
    return data, urlencode(data)


def answer(request, response: HttpResponse, *, url_name: str, query: str) -> HttpResponse:
    """After a POSTed search, the address bar shows the list's address with the query (no number)."""
    if request.method == "POST":
        response["HX-Push-Url"] = f"{reverse(url_name)}?{query}"
    return response
