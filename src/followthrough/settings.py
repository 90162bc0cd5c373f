"""Followthrough's one settings module, configured from the environment.

Every setting a deployer may change is read here from a typed environment variable
(`FOLLOWTHROUGH_…`, plus `DATABASE_URL` and `SECRET_KEY`) and documented in
`.env.example` and `docs/settings.md`. The defaults are safe for a self-hosted install
on 127.0.0.1; HTTPS deployments set `FOLLOWTHROUGH_HTTPS=true`.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy

from followthrough.config import data_dir, secret_key

_log_levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The words a yes/no setting accepts (lower-case names: not Django settings themselves).
_true_words = ("1", "true", "yes", "on")
_false_words = ("0", "false", "no", "off")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting: only the documented words (any case); empty means the default.

    Anything else stops start-up: a typo such as `FOLLOWTHROUGH_HTTPS=ture` must not
    quietly turn off secure cookies and HSTS."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _true_words:
        return True
    if value in _false_words:
        return False
    accepted = ", ".join(f"{yes}/{no}" for yes, no in zip(_true_words, _false_words, strict=True))
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of {accepted} "
        "(any case), or leave it empty for the default."
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole-number setting from `minimum` to `maximum`; empty means the default,
    anything else stops start-up."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a whole number (e.g. {name}={default})."
        ) from None
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ImproperlyConfigured(f"{name}={number} is out of range: use {minimum}{upper}.")
    return number


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of `choices` (any case; given back as written in `choices`); empty means the
    default, anything else stops start-up."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    by_lower = {choice.lower(): choice for choice in choices}
    if value.lower() not in by_lower:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not one of {', '.join(by_lower.values())}."
        )
    return by_lower[value.lower()]


def env_time_zone(name: str, default: str) -> str:
    """A time zone of the tz database (e.g. Europe/Berlin); anything else stops start-up."""
    value = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone (e.g. Europe/Berlin or UTC)."
        ) from None
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
# Only the path: importing the settings creates nothing. The `followthrough` command, the
# WSGI module and the tests' settings create the directory (`config.make_data_dir`), and
# the `followthrough.E001`/`E002` checks say when it is missing or not writable.
DATA_DIR = data_dir()
# Set when the key comes from the file (no SECRET_KEY in the environment); see checks.
SECRET_KEY_FILE = None if os.environ.get("SECRET_KEY") else DATA_DIR / "secret_key"


@cache
def _file_secret_key() -> str:
    assert SECRET_KEY_FILE is not None
    try:
        key = secret_key(SECRET_KEY_FILE)
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot read or create the secret key file {SECRET_KEY_FILE}: "
            f"{error.strerror or error}. Set SECRET_KEY, or fix the file's permissions."
        ) from error
    if not key:
        raise ImproperlyConfigured(
            f"The secret key file {SECRET_KEY_FILE} is empty: delete it to have a new key "
            "made, or set SECRET_KEY."
        )
    return key


# The key file is read (or made) when Django first uses the key (signing a session or a
# link, `check --deploy`), not on import. A lazy string rather than "the CLI makes it
# first": every way in (the CLI, a WSGI server, `django-admin`, the tests) gets a key
# without each having to remember to make one, and importing the settings stays pure.
# Django reads SECRET_KEY only through `str()`/`force_bytes()` and str methods, which
# the lazy proxy forwards; `followthrough serve` asks for it at start so a key file that
# cannot be written is an error then, not at the first log-in.
SECRET_KEY = os.environ.get("SECRET_KEY") or lazy(_file_secret_key, str)()
DEBUG = env_bool("FOLLOWTHROUGH_DEBUG", False)
ALLOWED_HOSTS = env_list("FOLLOWTHROUGH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("FOLLOWTHROUGH_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.forms",  # its widget templates, which templates/django/forms/ overrides
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Two-factor sign-in: authenticator apps (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "followthrough.accounts",
    "followthrough.workspaces",
    # In the order of the layers (docs/architecture.md): each app imports only those above
    # it here, and hooks registered in `ready()` run in this order.
    "followthrough.people",
    "followthrough.relationships",
    "followthrough.matching",
    "followthrough.events",
    "followthrough.outreach",
    "followthrough.watch",
    "followthrough.mail",
    "followthrough.sequences",
    "followthrough.agenda",
    "followthrough.reminders",
    "followthrough.exchange",
    "followthrough.directory",
    "followthrough.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "followthrough.workspaces.middleware.SecurityHeadersMiddleware",
    "followthrough.workspaces.middleware.DatabaseBusyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "followthrough.urls"
WSGI_APPLICATION = "followthrough.wsgi.application"

# Widgets render through the project's templates, so text boxes get dir="auto"
# (templates/django/forms/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "followthrough.workspaces.context_processors.workspace",
            ],
        },
    },
]

# SQLite is the embedded default: WAL so readers never wait for the writer, IMMEDIATE
# transactions so two writers queue on the busy timeout instead of failing mid-way.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'followthrough.sqlite3'}"),
        conn_max_age=env_int("FOLLOWTHROUGH_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with a process's writers taking turns (followthrough/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "followthrough.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("FOLLOWTHROUGH_DB_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): a username locks from one client address after this
# many failures there (wrong passwords and wrong two-factor codes), and unlocks by itself
# after the cool-off. Counted per (username, address) pair, never per address alone: an
# office's NAT (or a proxy not named below) puts a whole team behind one address, and one
# person's typos must not lock their colleagues out; nor can a stranger lock a member
# out from elsewhere. Codes also slow down per device (django-otp's throttling), from any
# address. See docs/security.md.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("FOLLOWTHROUGH_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = env_int("FOLLOWTHROUGH_LOGIN_COOLOFF_MINUTES", 60) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The code of the two-factor step is masked in axes' log of failed attempts.
AXES_SENSITIVE_PARAMETERS = ["code"]
# Behind a reverse proxy every request arrives from the proxy's address, and a stranger's
# failures would lock a username for everyone. Name the proxy: `followthrough serve` (waitress)
# then takes the client's address from X-Forwarded-For (and the scheme from
# X-Forwarded-Proto) on requests from it alone, so throttling sees the real clients.
# Another WSGI server has its own switch (gunicorn: --forwarded-allow-ips).
TRUSTED_PROXY = env_str("FOLLOWTHROUGH_TRUSTED_PROXY", "")
TRUSTED_PROXY_COUNT = env_int("FOLLOWTHROUGH_TRUSTED_PROXY_COUNT", 1, minimum=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("FOLLOWTHROUGH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The package's own static folder (vendored htmx and Pico, our stylesheet).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"  # made with the data directory (config.make_data_dir)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Static files are served from the package's own folders, so a fresh install needs no
# collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background work (large imports, later feeds and digests) runs through the tasks API
# Django 6 adopted, on a database queue: no broker to install. `followthrough serve`
# starts the worker beside the web server. FOLLOWTHROUGH_TASKS_IMMEDIATE=true runs tasks
# inline instead (tests, or a one-off command).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("FOLLOWTHROUGH_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Watched news feeds (see followthrough.watch.fetch): a healthy feed is read every this many
# minutes (a failing one backs off from 1 hour to 24). The fetcher reads public addresses
# only; FOLLOWTHROUGH_FEEDS_ALLOW_LOOPBACK=true lets it read this machine's own
# (127.0.0.1, ::1) too, for tests and local development — never on a shared server.
FEEDS_INTERVAL_MINUTES = env_int("FOLLOWTHROUGH_FEEDS_INTERVAL_MINUTES", 60, minimum=15)
FEEDS_ALLOW_LOOPBACK = env_bool("FOLLOWTHROUGH_FEEDS_ALLOW_LOOPBACK", False)

# Web imports keep the uploaded file between preview and import; one nobody imported is
# deleted after this many hours (see exchange.imports.tasks.discard_stale_uploads).
IMPORT_UPLOAD_TTL_HOURS = env_int("FOLLOWTHROUGH_IMPORT_UPLOAD_TTL_HOURS", 24, minimum=1)
# An upload up to this size is previewed inside the upload request (a second or two);
# a larger one by a background task, with a progress page (see exchange.imports.preview).
IMPORT_PREVIEW_INLINE_BYTES = env_int("FOLLOWTHROUGH_IMPORT_PREVIEW_INLINE_BYTES", 1_000_000)

EMAIL_BACKEND = env_str(
    "FOLLOWTHROUGH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("FOLLOWTHROUGH_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FOLLOWTHROUGH_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("FOLLOWTHROUGH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("FOLLOWTHROUGH_EMAIL_PASSWORD", "")
# none: plain SMTP (a relay on this machine); starttls: upgrade on port 587; tls: TLS from
# the first byte (port 465).
_email_security = env_choice("FOLLOWTHROUGH_EMAIL_SECURITY", "none", ("none", "starttls", "tls"))
EMAIL_USE_TLS = _email_security == "starttls"
EMAIL_USE_SSL = _email_security == "tls"
# A mute mail server fails the page that sends (a password reset) instead of holding it.
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("FOLLOWTHROUGH_FROM_EMAIL", "followthrough@localhost")
# A password reset link works once, for this long (seconds); the e-mail change link as long.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60


def env_base_url(name: str, default: str) -> str:
    """An absolute http(s) address without a trailing slash; anything else stops start-up."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an absolute http(s) address (e.g. https://crm.example.org)."
        )
    return value.rstrip("/")


# Where members reach the app, for the links in e-mail (the weekly digest, its unsubscribe
# link) and the calendar feed's address: a background task has no request to take the
# host from, and taking it from a request's Host header is how reset links get poisoned.
BASE_URL = env_base_url("FOLLOWTHROUGH_BASE_URL", "http://localhost:8000")
# The name authenticator apps show beside the account's code.
OTP_TOTP_ISSUER = "Followthrough"
# The admin lists two-factor devices (to delete one) but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

HTTPS = env_bool("FOLLOWTHROUGH_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
# Preloading commits a whole domain (and its subdomains) to HTTPS for browsers' lifetime:
# that is the deployer's decision, not a default, so its deploy warning is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("FOLLOWTHROUGH_LOG_LEVEL", "WARNING", _log_levels),
    },
}
