"""Rate-limited login. Failures are counted in the database, so the lock-out holds across server
processes and restarts. A username is locked out from the address that failed for it (a stranger
elsewhere cannot lock a colleague out), an address that fails for many usernames is locked out, and a
username failed at from many addresses is locked out everywhere past a high ceiling (settings.py says
why). Locked out, even the right password is refused, and the answer does not tell whether the username
exists. The address is the client's, read through trusted proxies (fangkong.middleware)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.audit.actions import record
from fangkong.audit.models import Action

from .models import LoginFailure

# An address may fail for several usernames (a shared office NAT) before it is blocked.
ADDRESS_FACTOR = 4


def is_locked_out(username: str, ip: str | None) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    of_username = recent.filter(username__iexact=username)
    if of_username.filter(ip=ip).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    if bool(ip) and recent.filter(ip=ip).count() >= settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR:
        return True
    return of_username.count() >= settings.LOGIN_ACCOUNT_MAX_FAILURES


class RateLimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("该账号已停用"),
        "locked_out": _("登录失败次数过多，请%(minutes)s分钟后再试"),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if username and is_locked_out(username, ip):
            record(actor=None, action=Action.LOCKED_OUT, request=self.request, username=username)
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            LoginFailure.objects.create(username=username[:150], ip=ip or None)
            record(actor=None, action=Action.LOGIN_FAILED, request=self.request, username=username)
            raise
        # Only this address's failures are forgotten: a login here says nothing about guesses elsewhere.
        LoginFailure.objects.filter(username__iexact=username, ip=ip or None).delete()
        record(actor=self.get_user(), action=Action.LOGIN, request=self.request)
        return cleaned
