"""Ketenplan settings, read from the environment.

Two modes, chosen with ``KETENPLAN_ENV``:

* ``development`` (default): SQLite under ``var/``, a generated secret key kept in
  ``var/``, e-mail printed on the console, demo conveniences allowed.
* ``production``: every secret must come from the environment and the process refuses
  to start without it; secure cookies, HSTS and TLS redirect are on, so that
  ``manage.py check --deploy`` is silent.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KETENPLAN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

KETENPLAN_ENV = env.str("KETENPLAN_ENV", default="development")
if KETENPLAN_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"KETENPLAN_ENV must be 'development' or 'production', not {KETENPLAN_ENV!r}."
    )
PRODUCTION = KETENPLAN_ENV == "production"


def _development_secret_key() -> str:
    """A per-checkout random key, kept in var/ so sessions survive a restart."""
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production mode Ketenplan refuses to start without it: "
            "set SECRET_KEY to a long random value (at least 50 characters)."
        )
    DEBUG = False
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. In production mode list the host names Ketenplan "
            "is served under, comma-separated."
        )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[BASE_URL])

INSTALLED_APPS = [
    "ketenplan.core",
    "ketenplan.accounts",
    "ketenplan.audit",
    "ketenplan.methods",
    "ketenplan.persons",
    "ketenplan.cases",
    "ketenplan.consent",
    "ketenplan.dossier",
    "ketenplan.plans",
    "ketenplan.meetings",
    "ketenplan.risk",
    "ketenplan.api",
    "ketenplan.overview",
    "ketenplan.demo",
    "ketenplan.benchmark",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ketenplan.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketenplan.accounts.middleware.RequireMultiFactorMiddleware",
    "ketenplan.audit.middleware.AuditReadMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ketenplan.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ketenplan.sqlite3'}"
    )
}
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured(
        "DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/name) "
        "or a SQLite one (sqlite:////absolute/path.sqlite3)."
    )
# A web worker keeps its connection between requests (one per worker process): opening
# one costs a round of setup per request, and SQLite keeps its page cache per connection,
# so a new connection per request reads every page again (issue 7).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL + a generous busy timeout: readers never block the writer.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: it pays off for long analytical queries only. Ours take a few
    # milliseconds, but the planner's cost estimates for an IN list with correlated
    # EXISTS conditions (a meeting packet's dossier read) pass jit_above_cost, and
    # compiling then took 0.4-1.5 s for a query that runs in 3 ms (issue 6).
    # DATABASE_JIT=true leaves the server's setting in force.
    if not env.bool("DATABASE_JIT", default=False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state lives in the database, never in process memory: rate limits, lockouts
# and TOTP replay protection must hold across every web worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ketenplan_cache",
    }
}

# --- Audit trail and encryption at rest -----------------------------------------------
# The audit trail is kept this long, then pruned by whole sealed prefixes (a checkpoint
# keeps the rest verifiable). Default: ten years.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3653)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be a positive number of days.")


def _development_field_encryption_key() -> str:
    """A per-checkout random field-encryption key, kept in var/ like the secret key."""
    import base64
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "field_encryption_key"
    if not key_file.exists():
        key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Sensitive fields (EncryptedTextField) are encrypted with AES-256-GCM. Comma-separated
# base64 keys of 32 bytes: the first encrypts, all decrypt (key rotation, see
# docs/deployment.md).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set. In production mode Ketenplan refuses to start "
            "without it: set it to one or more comma-separated base64-encoded 32-byte keys "
            "(generate one with `python -c \"import base64, os; "
            "print(base64.b64encode(os.urandom(32)).decode())\"`)."
        )
    FIELD_ENCRYPTION_KEYS = [_development_field_encryption_key()]


def _check_field_encryption_keys(keys: list[str]) -> None:
    import base64
    import binascii

    for position, key in enumerate(keys, start=1):
        try:
            # Standard or URL-safe alphabet.
            raw = base64.b64decode(key.strip().replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a base64-encoded 32-byte key."
            )


_check_field_encryption_keys(FIELD_ENCRYPTION_KEYS)

# --- Background work ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Professional"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "ketenplan.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_EMAIL_NOTIFICATIONS = False
# Lockout: after five failed sign-ins for one address within 15 minutes that address is
# locked for the rest of the window, whatever password is tried; per IP a wider net.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_LIMIT", default="20/15m/ip,5/15m/key"),
    "reset_password": "5/m/ip,5/15m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Ketenplan")
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the 30 minutes run from the last request: idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="nl")
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as in Europe (day/month/year, 24-hour clock): ketenplan/core/formats/en.
FORMAT_MODULE_PATH = ["ketenplan.core.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
_static_root = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles") if PRODUCTION else "")
# In development the files are served straight from the apps (WHITENOISE_USE_FINDERS).
STATIC_ROOT = Path(_static_root) if _static_root else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Uploaded documents live outside the web root and are served only by views
        # that pass the access policy.
        "OPTIONS": {"location": str(Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- E-mail ---------------------------------------------------------------------------
_email = env.email_url(
    "EMAIL_URL", default="consolemail://" if not PRODUCTION else "smtp://localhost:25"
)
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ketenplan <noreply@ketenplan.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers -----------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ketenplan.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "ketenplan.api.permissions.FollowsPolicy",
    ],
    "EXCEPTION_HANDLER": "ketenplan.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ketenplan API",
    "DESCRIPTION": "One family, one plan. Every endpoint passes the same access policy as the UI.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs follow the API's own rules (drf-spectacular's default is
    # AllowAny, which would publish them to anonymous visitors).
    "SERVE_PERMISSIONS": REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "ketenplan.cases.models.Stage",
        "RiskLevelEnum": "ketenplan.cases.models.RiskLevel",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
FORM_RENDERER = "ketenplan.core.forms.FormRenderer"
