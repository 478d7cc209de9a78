"""The JSON API at /api/v1/: session auth (with CSRF) for the web UI, bearer tokens for devices and
integrations. Errors are machine-readable: {"code": "...", "message": "...", "errors": {field: reason}}."""

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from fangkong.grid.models import ApiToken, hash_token
from fangkong.lib.errors import RuleError


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.filter(digest=hash_token(token), revoked_at=None).select_related("user").first()
        )
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="防控 Fangkong API",
    version="1",
    description="疫情防控平台接口。所有数据按账号所属辖区限定范围。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
)

_STATUS = {"invalid": 422, "duplicate": 409, "conflict": 409, "forbidden": 403, "not_found": 404}


@api.exception_handler(RuleError)
def rule_error(request, exc: RuleError):
    return api.create_response(
        request,
        {"code": exc.code, "message": str(exc), "errors": exc.errors},
        status=_STATUS.get(exc.code, 422),
    )


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path", "payload")]
        errors[".".join(loc) or "__all__"] = _pydantic_message(err)
    return api.create_response(
        request, {"code": "invalid", "message": "请求数据有误", "errors": errors}, status=422
    )


def _pydantic_message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "必填项"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "格式不正确"
    if kind == "string_too_long":
        return "内容过长"
    if kind in ("enum", "literal_error"):
        return "取值不在允许范围内"
    return "取值无效"


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "记录不存在"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录或提供有效令牌"}, status=401
    )


# Routers register themselves here; keep the list in one place so the schema is complete.
from fangkong.grid.api import router as grid_router  # noqa: E402
from fangkong.registry.api import router as registry_router  # noqa: E402

api.add_router("/", grid_router)
api.add_router("/", registry_router)
