"""Settings, all from the environment. A bad value stops start-up with a message naming the variable."""

import hashlib
import ipaddress
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise RuntimeError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 — only with DEBUG on, never in production
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "ninja",  # serves its bundled Swagger UI at /api/v1/docs instead of a CDN copy
    "fangkong.grid",
    "fangkong.audit",
    "fangkong.policy",
    "fangkong.registry",
    "fangkong.measures",
    "fangkong.reporting",
    "fangkong.imports",
    "fangkong.codes",  # the migrations of the tables below, from before the split (codes/apps.py)
    "fangkong.healthcodes",
    "fangkong.checkpoints",
    "fangkong.venues",
    "fangkong.tracing",
    "fangkong.vaccination",
    "fangkong.testing",
    "fangkong.supplies",
    "fangkong.disinfection",
    "fangkong.inspections",
    "fangkong.command",
    "fangkong.coldchain",
    "fangkong.schools",
    "fangkong.markets",
    "fangkong.surveillance",
    "fangkong.situation",
    "fangkong.home",
]

MIDDLEWARE = [
    "fangkong.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fangkong.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fangkong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fangkong.grid.context_processors.nav",
                "fangkong.reporting.context_processors.reminders",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fangkong.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer works; IMMEDIATE avoids deadlocked upgrades of read locks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: compiling the reports' wide aggregates cost more than running them (docs/decisions/0010).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins (grid/login.py), counted in the window: an account is locked from one address after
# LOGIN_MAX_FAILURES there (so a stranger elsewhere cannot lock a colleague out), an address after four
# times that over any accounts, and an account from everywhere after LOGIN_ACCOUNT_MAX_FAILURES: guessing
# spread over many addresses gets at most that many tries per window (with passwords of 10+ characters
# checked against the common ones, far too few), while a colleague is never locked out by a few strangers.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 100)
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: the client
# is the right-most address in it that is not one of them. Empty: REMOTE_ADDR is the client. The proxy
# must also set X-Forwarded-Proto (https) for Django to know the request was secure.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise RuntimeError(f"TRUSTED_PROXIES must list addresses or networks, not {_proxy!r}") from None
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Strict-Transport-Security (fangkong/middleware.py) when SECURE_COOKIES is on; 0 sends none.
HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fangkong" / "locale"]
FORMAT_MODULE_PATH = ["fangkong.formats"]  # dates as users write them, per language
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "fangkong" / "static"]
STATIC_ROOT = VAR_DIR / "static"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Vintage of the division codes shipped in data/divisions (statistics bureau, cut-off 2023-06-30).
DIVISIONS_DIR = BASE_DIR / "data" / "divisions"
DIVISIONS_VINTAGE = "2023"

PAGE_SIZE = env_int("PAGE_SIZE", 50)
# A search by ID or phone number is kept in the session under a token this many seconds (its pages).
SEARCH_TOKEN_SECONDS = env_int("SEARCH_TOKEN_SECONDS", 30 * 60)

# Health codes (healthcodes/tokens.py): the QR token of a resident's code is valid this many seconds. Keys sign
# the tokens: the first signs, all verify, so a new key goes first and the old one stays until the tokens
# it signed have expired; without the variable, one key derived from SECRET_KEY. Verifications per staff
# account and minute (API and checkpoint pages).
CODE_TOKEN_SECONDS = env_int("CODE_TOKEN_SECONDS", 60)
HEALTH_CODE_KEYS = env_list(
    "HEALTH_CODE_KEYS", [hashlib.sha256(f"fangkong.health-code-key:{SECRET_KEY}".encode()).hexdigest()]
)
if not HEALTH_CODE_KEYS:
    raise RuntimeError("HEALTH_CODE_KEYS must list at least one key (comma-separated)")
CODE_VERIFY_PER_MINUTE = env_int("CODE_VERIFY_PER_MINUTE", 120)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")  # absolute links printed on QR posters

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
