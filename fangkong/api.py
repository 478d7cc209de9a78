"""The JSON API at /api/v1/: session auth (with CSRF) for the web UI, bearer tokens for devices and
integrations. Errors are machine-readable: {"code": "...", "message": "...", "errors": {field: reason}}."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from fangkong.checkpoints.api import router as checkpoints_router
from fangkong.coldchain.api import router as coldchain_router
from fangkong.command.api import router as command_router
from fangkong.disinfection.api import router as disinfection_router
from fangkong.grid.api import router as grid_router
from fangkong.grid.api_auth import SessionAuth, TokenAuth
from fangkong.grid.schemas import pydantic_message
from fangkong.healthcodes.api import router as healthcodes_router
from fangkong.inspections.api import router as inspections_router
from fangkong.lib.errors import RuleError
from fangkong.markets.api import router as markets_router
from fangkong.measures.api import router as measures_router
from fangkong.registry.api import router as registry_router
from fangkong.reporting.api import router as reporting_router
from fangkong.schools.api import router as schools_router
from fangkong.supplies.api import router as supplies_router
from fangkong.surveillance.api import router as surveillance_router
from fangkong.testing.api import router as testing_router
from fangkong.tracing.api import router as tracing_router
from fangkong.vaccination.api import router as vaccination_router
from fangkong.venues.api import router as venues_router


class ReadableJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as UTF-8, not \u escapes


class FangkongAPI(NinjaAPI):
    def _get_urls(self):
        # The site's LoginRequiredMiddleware would redirect API clients to the login page. Operations
        # authenticate themselves (token or session, 401 in JSON) and the schema holds no data, so
        # both are exempt; the docs page and the API root stay behind the login.
        urls = super()._get_urls()
        for pattern in urls:
            if pattern.name not in ("openapi-view", "api-root"):
                pattern.callback = login_not_required(pattern.callback)
        return urls


api = FangkongAPI(
    title="防控 Fangkong API",
    version="1",
    description="疫情防控平台接口。所有数据按账号所属辖区限定范围。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
    renderer=ReadableJSON(),
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
        errors[".".join(loc) or "__all__"] = pydantic_message(err)
    return api.create_response(
        request, {"code": "invalid", "message": "请求数据有误", "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "记录不存在"}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # Raised inside ninja: a failed CSRF check (403) or a body that cannot be parsed (400), which is
    # answered like any other bad input.
    if exc.status_code == 400:
        body = {
            "code": "invalid",
            "message": "请求数据不是有效的 JSON",
            "errors": {"__all__": "请求数据不是有效的 JSON"},
        }
        return api.create_response(request, body, status=422)
    if exc.status_code == 403:
        body = {"code": "forbidden", "message": "CSRF 校验失败，请刷新页面后重试"}
    else:
        body = {"code": "error", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录或提供有效令牌"}, status=401
    )


# Seconds a client is asked to wait when SQLite is locked: an import pauses between its chunks far
# more often than that.
RETRY_AFTER = 2


@api.exception_handler(OperationalError)
def database_busy(request, exc: OperationalError):
    # SQLite allows one writer: when another write (a long import, a purge) holds the lock past the
    # busy timeout, the client is told to retry, in JSON like any other error. Anything else is a fault.
    if "locked" not in str(exc) and "busy" not in str(exc):
        raise exc
    message = "数据库正忙（有其他写入正在进行），请稍后重试"
    response = api.create_response(
        request, {"code": "busy", "message": message, "errors": {"__all__": message}}, status=503
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


# Every app's router, mounted here in one list so the schema is complete.
api.add_router("/", grid_router)
api.add_router("/", registry_router)
api.add_router("/", healthcodes_router)
api.add_router("/", venues_router)
api.add_router("/", checkpoints_router)
api.add_router("/", measures_router)
api.add_router("/", tracing_router)
api.add_router("/", vaccination_router)
api.add_router("/", testing_router)
api.add_router("/", supplies_router)
api.add_router("/", surveillance_router)
api.add_router("/", disinfection_router)
api.add_router("/", inspections_router)
api.add_router("/", command_router)
api.add_router("/", schools_router)
api.add_router("/", markets_router)
api.add_router("/", coldchain_router)
api.add_router("/", reporting_router)
