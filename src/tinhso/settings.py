"""Django settings for Tỉnh số, read from environment variables.

Every variable is documented in `.env.example`. Policy (deadlines, routing,
office hours) is data in the database, not settings.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tinhso.env import env_bool, env_int, env_list, env_str, env_url

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("TINHSO_DATA_DIR", str(REPO_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "dev-only-insecure-key-not-for-production"
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters outside debug mode.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))

INSTALLED_APPS = [
    "tinhso.core",
    "tinhso.feedback",
    "tinhso.indicators",
    "tinhso.identity",
    "tinhso.identity.sso",
    "oauth2_provider",
    "tinhso.eservices",
    "tinhso.dashboard",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "tinhso.core.apps.TasksDatabaseConfig",  # django_tasks_db, with its name translated
    # Accounts (identity): after tinhso.identity, whose templates override allauth's.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "tinhso.identity.middleware.RequireOfficialMfa",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tinhso.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "tinhso.urls"
WSGI_APPLICATION = "tinhso.wsgi.application"
ASGI_APPLICATION = "tinhso.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'tinhso.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no var/ yet: SQLite creates the file but not its folder.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE takes
        # the write lock at BEGIN so concurrent writers queue instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue ---------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]}}
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in ("default", "notifications")}
    INSTALLED_APPS.append("django_rq")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "notifications"],
        }
    }

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tinhso.identity.passwords.ContextWordsValidator"},
]

# Argon2id first: new and re-logged-in passwords are rehashed with it (ASVS 6.2; docs/security.md).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# django-allauth (docs/identity.md): sign-in by phone number and password, a second factor (TOTP, passkeys,
# recovery codes), the session list. Registration and password reset by SMS code are tinhso.identity's own views.
ACCOUNT_ADAPTER = "tinhso.identity.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "tinhso.identity.forms.PhoneLoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "phone"
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # e-mail changes, like second-factor changes, need the password again
# Wrong passwords: 10 a minute per IP address and 5 per 5 minutes per phone number. One-time SMS codes have their
# own counters (tinhso.identity.throttle), so a flood of one never locks the other.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key", "login": "30/m/ip"}
MFA_ADAPTER = "tinhso.identity.adapter.MfaAdapter"
MFA_FORMS = {
    "add_webauthn": "tinhso.identity.forms.AddSecurityKeyForm",
    "edit_webauthn": "tinhso.identity.forms.EditSecurityKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Tỉnh số"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
USERSESSIONS_TRACK_ACTIVITY = False  # a write on every request; the list shows when each session began
# Encryption at rest of ID numbers (tinhso/identity/crypto.py): Fernet keys, newest first, and the lookup HMAC key.
IDENTITY_FIELD_KEYS = env_list("IDENTITY_FIELD_KEYS")
IDENTITY_LOOKUP_KEY = env_str("IDENTITY_LOOKUP_KEY", "")
# Every official (a staff role, or is_staff/is_superuser) must set up TOTP or a passkey before any page opens
# (identity.middleware.RequireOfficialMfa). Off by default with DEBUG=1 so the demo's published accounts work
# without an authenticator; accounts made at /tai-khoan/can-bo/tao/ must use a second factor either way.
IDENTITY_REQUIRE_STAFF_MFA = env_bool("IDENTITY_REQUIRE_STAFF_MFA", not DEBUG)

# --- Single sign-on: OpenID Connect provider (tinhso.identity.sso, docs/sso.md) ----------------------
# id_tokens are signed with the active RSA key; older keys stay in the JWKS until tokens they signed expire.
from tinhso.identity.sso.keys import signing_keys  # noqa: E402 - needs DATA_DIR above

OIDC_RSA_PRIVATE_KEY, OIDC_RSA_PRIVATE_KEYS_INACTIVE = signing_keys(
    active_pem=env_str("OIDC_RSA_PRIVATE_KEY", ""),
    active_file=env_str("OIDC_RSA_PRIVATE_KEY_FILE", ""),
    inactive_files=env_list("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES"),
    data_dir=DATA_DIR,
)
# Named here because the sso app's migrations refer to the client model through this setting.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": env_url("OIDC_ISSUER", None, schemes=("https", "http")) or "",
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OIDC_RSA_PRIVATE_KEYS_INACTIVE,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # Ask before logging out unless the client proves the session with a valid id_token_hint (ASVS 10.6.2).
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OAUTH2_VALIDATOR_CLASS": "tinhso.identity.sso.oidc.Validator",
    "SCOPES_BACKEND_CLASS": "tinhso.identity.sso.oidc.ClientScopes",
    "PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # only hashes of access and refresh tokens are stored
    # https only in production (RFC 9700 §2.1). OIDC_LOOPBACK_HTTP admits http for loopback addresses (native
    # apps, the interoperability tests); the admin then still refuses any other http redirect URI
    # (tinhso.identity.sso.admin), and a registered URI is matched exactly.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if env_bool("OIDC_LOOPBACK_HTTP", DEBUG) else ["https"],
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ACCESS_TOKEN_SECONDS", 3600, minimum=60),
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
}
# VNeID as the upstream identity provider (tinhso.identity.sso.upstream): the mock server under /o/vneid-gia-lap/
# until the Ministry's discovery URL and client are configured (Decree 69/2024 Art. 18 agreement).
VNEID_DISCOVERY_URL = env_url("VNEID_DISCOVERY_URL", None, schemes=("https",))
VNEID_CLIENT_ID = env_str("VNEID_CLIENT_ID", "")
VNEID_CLIENT_SECRET = env_str("VNEID_CLIENT_SECRET", "")
VNEID_SCOPES = env_str("VNEID_SCOPES", "openid profile")
# Which VNeID claim holds each attribute, as field=claim pairs (fields: name, birth_date, id_number, level).
VNEID_CLAIMS = dict(
    pair.split("=", 1)
    for pair in env_list("VNEID_CLAIMS", ["name=name", "birth_date=birthdate", "id_number=id_number", "level=level"])
)
# The mock lets anyone pick a test person: never on in production.
VNEID_MOCK = env_bool("VNEID_MOCK", DEBUG)

# --- Language, time, formats ------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# The platform's own catalogues first; then Vietnamese for third-party strings their packages leave
# untranslated (REST framework, Django's newer admin strings, django_tasks; kept apart so `makemessages`
# never touches it).
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "locale_thirdparty"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["tinhso.formats"]

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
NODE_MODULES_DIR = Path(env_str("NODE_MODULES_DIR", str(REPO_DIR / "node_modules")))
# Third-party browser code comes from npm (package-lock.json), never from the repository.
STATICFILES_DIRS = [
    (prefix, NODE_MODULES_DIR / path)
    for prefix, path in (
        ("lib/leaflet", "leaflet/dist"),
        ("lib/htmx", "htmx.org/dist"),
        ("lib/chartjs", "chart.js/dist"),
    )
    if (NODE_MODULES_DIR / path).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files for production (after collectstatic); plain files in
        # development and tests, which serve them straight from the apps and node_modules.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Public files, read by nginx's own user: not the private mode FILE_UPLOAD_PERMISSIONS gives uploads.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
WHITENOISE_USE_FINDERS = env_bool("STATIC_FROM_FINDERS", DEBUG)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Security ----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# security.W021 (no HSTS preload) is silenced by default: preloading binds every subdomain of the
# province's domain for years, a decision for whoever runs the domain, not for one application.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", ["security.W021"])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tinhso.core.api.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["tinhso.core.api.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "120/min"), "client": "600/min"},
    "DEFAULT_PAGINATION_CLASS": "tinhso.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tinhso.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tỉnh số API",
    "DESCRIPTION": 'API của nền tảng Tỉnh số. Lỗi trả về dạng {"errors": [{"code", "field", "message"}]}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI comes from the drf-spectacular-sidecar package and is served by staticfiles, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Open311 GeoReport v2 (docs/open311.md): the jurisdiction_id this server answers for.
OPEN311_JURISDICTION = env_str("OPEN311_JURISDICTION", "thainguyen.gov.vn")

# --- E-mail and notification channels ----------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tỉnh số <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_GATEWAY = env_str("SMS_GATEWAY", "tinhso.core.channels.FakeSmsGateway")
ZALO_GATEWAY = env_str("ZALO_GATEWAY", "tinhso.core.channels.FakeZaloGateway")
# Used only by the real gateways (tinhso.core.channels.HttpSmsGateway / ZnsZaloGateway); see docs/notifications.md.
SMS_GATEWAY_URL = env_url("SMS_GATEWAY_URL", None, schemes=("https", "http"))
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_BRANDNAME = env_str("SMS_BRANDNAME", "")
SMS_UNACCENTED = env_bool("SMS_UNACCENTED", False)
ZALO_ZNS_URL = env_url("ZALO_ZNS_URL", "https://business.openapi.zalo.me/message/template", schemes=("https", "http"))
ZALO_OA_ACCESS_TOKEN = env_str("ZALO_OA_ACCESS_TOKEN", "")
ZALO_ZNS_TEMPLATES = env_list("ZALO_ZNS_TEMPLATES")
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 15, minimum=1)
# Inbound SMS and Zalo OA webhooks of the 1022 module (docs/feedback-inbound.md); the fakes are the default.
FEEDBACK_SMS_INBOUND = env_str("FEEDBACK_SMS_INBOUND", "tinhso.feedback.inbound.FakeSmsInbound")
FEEDBACK_ZALO_INBOUND = env_str("FEEDBACK_ZALO_INBOUND", "tinhso.feedback.inbound.FakeZaloInbound")
FEEDBACK_SMS_INBOUND_SECRET = env_str("FEEDBACK_SMS_INBOUND_SECRET", "")
ZALO_APP_ID = env_str("ZALO_APP_ID", "")
ZALO_OA_SECRET_KEY = env_str("ZALO_OA_SECRET_KEY", "")
# E-services: applicants' documents live outside MEDIA_ROOT (served only by the access-checked view, backed up
# as the private store "eservices"); online submission may require a verified identity (assurance level >= 1).
ESERVICES_PRIVATE_ROOT = Path(env_str("ESERVICES_PRIVATE_ROOT", str(DATA_DIR / "private")))
# Online payment of fees (tinhso.eservices.payments): "real" (the contracted gateway's signed redirects), "fake"
# (pays at once: demo and tests only, refused by check --deploy) or "none" (fees paid at the counter).
ESERVICES_PAYMENT = {
    "gateway": env_str("ESERVICES_PAYMENT_GATEWAY", "fake" if DEBUG else "none"),
    "url": env_url("ESERVICES_PAYMENT_URL", None, schemes=("https",)) or "",
    "merchant": env_str("ESERVICES_PAYMENT_MERCHANT", ""),
    "secret": env_str("ESERVICES_PAYMENT_SECRET", ""),
}
ESERVICES_REQUIRE_VERIFIED = env_bool("ESERVICES_REQUIRE_VERIFIED", True)

# --- Province ---------------------------------------------------------------
PROVINCE_CODE = env_str("PROVINCE_CODE", "19")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
