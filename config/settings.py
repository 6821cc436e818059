"""Xueji settings: one module, read from the environment (see .env.example).

With no environment at all Xueji runs embedded: SQLite and Celery's filesystem broker under
var/, and a secret generated once into var/. Setting DATABASE_URL (and REDIS_URL) switches to
PostgreSQL (and Redis); then DJANGO_SECRET_KEY must be set too. DEBUG is off unless
DJANGO_DEBUG=true asks for it, embedded too: people trying the demo see the site's own error
pages, not Django's technical ones.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

EMBEDDED = not env.str("DATABASE_URL", default="")

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    # Generated once per checkout so sessions survive restarts; never used with a real database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = _local_secret_key()

# Embedded (make run serves on 127.0.0.1) or debugging, this machine's names are allowed.
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG or EMBEDDED else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "config.apps.AxesConfig",  # django-axes, named in the admin
    "viewflow",
    "viewflow.workflow",
    "records",
    "flows",
    "notifications",
    "documents",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A statement cancelled by the web process's limit (config/web_process.py) becomes a clear 503.
    "records.middleware.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "records.middleware.PasswordChangeRequiredMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]
VIEWFLOW = {"AUTOREGISTER": False}

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if EMBEDDED:
    # SQLite: wait for the Celery worker's writes instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL cancels a web request's statement after this many seconds (0: never); not Celery's,
# not a management command's: the web server's connections start with it (config/web_process.py).
XUEJI_STATEMENT_TIMEOUT = env.float("XUEJI_STATEMENT_TIMEOUT", default=30.0)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Fails open: with Redis unreachable the pages answer from each process's memory (config/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("XUEJI_CACHE_TIMEOUT", default=1.0),
                "socket_timeout": env.float("XUEJI_CACHE_TIMEOUT", default=1.0),
                "RETRY_AFTER": env.float("XUEJI_CACHE_RETRY_AFTER", default=10.0),
            },
        }
    }

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and locks the account out (policy texts, 篇5: per-person accounts).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("XUEJI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("XUEJI_LOGIN_COOLOFF_HOURS", default=1.0)
# Per account: schools sit behind one NAT address, so locking by address would lock a whole school.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if EMBEDDED else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="xueji@localhost")

# Uploaded photos are served by Django itself when debugging or embedded (config/urls.py).
SERVE_MEDIA = DEBUG or EMBEDDED
# Embedded, make run serves plain http on this machine: cookies marked Secure would not come back.
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not EMBEDDED)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS (README, Production): DJANGO_HTTPS=true says the site is served over HTTPS only; then, with
# DEBUG off, plain HTTP is redirected and browsers are told to use HTTPS for a year (HSTS). Off by
# default, so that `make run` and the tests on plain HTTP are not redirected.
HTTPS = env.bool("DJANGO_HTTPS", default=False) and not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The header only allows a submission to the browsers' preload lists; nobody is submitted by it.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Behind a reverse proxy that ends TLS and sets X-Forwarded-Proto (and strips it from clients).
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: Redis when REDIS_URL is set, otherwise the filesystem broker under var/ so that a
# newcomer needs no server (a worker with -B runs beside the web server).
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A web request publishes after its commit; with Redis down it must fail in a moment, not hang
    # (kombu's default retries for about six seconds). The sweeps deliver what was not published.
    CELERY_BROKER_CONNECTION_TIMEOUT = env.float("XUEJI_BROKER_CONNECT_TIMEOUT", default=2.0)
    # A message a worker took but never acknowledged (the worker was killed, or its machine went
    # down) goes back to the queue after this many seconds; Redis's default is an hour. A task that
    # runs longer is started a second time meanwhile: every task is idempotent, so that second run
    # finds the work done or taken and does nothing (the longest, a county's rollover, takes seconds).
    XUEJI_BROKER_VISIBILITY_TIMEOUT = env.float("XUEJI_BROKER_VISIBILITY_TIMEOUT", default=300.0)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "visibility_timeout": XUEJI_BROKER_VISIBILITY_TIMEOUT,
        # How often a worker looks for such messages: a tenth of the timeout, at most every 30 s
        # (kombu's own pace, ten sweeps of ten seconds, would add up to 100 s to the timeout).
        "unacked_restore_interval": max(1.0, min(30.0, XUEJI_BROKER_VISIBILITY_TIMEOUT / 10)),
        "unacked_restore_throttle": 1,
    }
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
else:
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed", "results", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        # The exchange tables of the worker's remote control (pidbox); kombu's default is ./control.
        "control_folder": str(_celery_dir / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
# Every task is acknowledged late (after it ran: notifications.tasks.TASK_OPTIONS and the
# rollover's), so a worker takes one message at a time: one it holds unacknowledged when it dies is
# the only one that waits for the visibility timeout, not a prefetched batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Steps waiting past the reminder threshold remind whoever can act on them (office hours).
    "remind-pending-tasks": {"task": "notifications.tasks.remind_pending_tasks", "schedule": crontab(minute=5, hour="7-19")},
    # Steps past their due date go to the supervising bureau's officers, once per step.
    "escalate-overdue-tasks": {"task": "notifications.tasks.escalate_overdue_tasks", "schedule": crontab(minute=15, hour="7-19")},
    # Transfers still open three months after they started lapse; the student stays as they are.
    "expire-lapsed-transfers": {"task": "flows.tasks.expire_lapsed_transfers", "schedule": crontab(minute=25)},
    # Suspensions approved ahead of their start date take effect on it (the student leaves class then).
    "begin-suspensions": {"task": "flows.tasks.begin_suspensions", "schedule": crontab(minute=3)},
    # Suspensions ending within XUEJI_SUSPENSION_ENDING_DAYS remind the school's registrars, once per end date.
    "remind-suspensions-ending": {"task": "notifications.tasks.remind_suspensions_ending", "schedule": crontab(minute=30, hour=7)},
    # Term work: head counts, grades and comments not done days before they are due remind their
    # teachers (by the day, so morning and noon: a run missed in the morning is made up at noon).
    "remind-term-work-due": {"task": "notifications.tasks.remind_term_work_due", "schedule": crontab(minute=35, hour="7,13")},
    # Term work: head counts overdue, or not matching the roster, go to the school's registrars.
    "report-term-work": {"task": "notifications.tasks.report_term_work", "schedule": crontab(minute=45, hour="7-19")},
    # Events the broker never carried (it was down), and e-mails not sent yet.
    "deliver-missed-notifications": {"task": "notifications.tasks.deliver_missed_notifications", "schedule": crontab(minute="*/10")},
    # The e-mail drain: notifications recorded and not yet e-mailed, a minute's worth at a time.
    "send-notification-emails": {"task": "notifications.tasks.send_notification_emails", "schedule": crontab()},
    # viewflow's due flow.Timer and .OnTimeout tasks: viewflow itself ships no Celery task for them.
    "fire-workflow-timers": {"task": "flows.tasks.fire_workflow_timers", "schedule": crontab()},
    # Intake files uploaded while the broker was down, or whose worker was lost, are validated now.
    "run-waiting-intake-imports": {"task": "flows.intake.tasks.run_waiting_intake_imports", "schedule": crontab(minute="*/5")},
    # Rollovers confirmed while the broker was down, or whose worker was lost, are applied now.
    "run-waiting-rollovers": {"task": "records.tasks.run_waiting_rollovers", "schedule": crontab(minute="*/5")},
}
# Autodiscovery imports each app's own tasks module (flows.tasks); the intake's validation job
# lives with the intake, one package down.
CELERY_IMPORTS = ["flows.intake.tasks"]

# Reminders and escalation (notifications/): a step is due after Bureau.step_due_working_days.
XUEJI_REMIND_AFTER_WORKING_DAYS = env.int("XUEJI_REMIND_AFTER_WORKING_DAYS", default=2)
XUEJI_REMIND_EVERY_WORKING_DAYS = env.int("XUEJI_REMIND_EVERY_WORKING_DAYS", default=2)
XUEJI_SUSPENSION_ENDING_DAYS = env.int("XUEJI_SUSPENSION_ENDING_DAYS", default=14)
# How far back the sweep looks for steps and endings that nobody was told about.
XUEJI_CATCH_UP_DAYS = env.int("XUEJI_CATCH_UP_DAYS", default=7)
# Where the site is served, for the links in e-mails ("" leaves the link out).
XUEJI_SITE_URL = env.str("XUEJI_SITE_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_on_one_line": {"()": "config.request_log.ForbiddenOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint narrates every step of every PDF (and of its import) at INFO.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # A refusal (403) is expected: one line with the user and the path; 5xx keep their traceback.
        "django.request": {"filters": ["forbidden_on_one_line"]},
    },
}

XUEJI_SITE_TITLE = _("学籍管理")

# The REST API (/api/v1/, issue 6): token or session login, JSON errors in the request's language.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "records.api_policy.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["records.api_policy.IsMember"],
    "DEFAULT_PAGINATION_CLASS": "records.api_policy.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["records.api_parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "records.api_errors.exception_handler",
    # The token endpoint only: per client address, on top of the per-account lockout of django-axes.
    "DEFAULT_THROTTLE_RATES": {"api_token": env.str("XUEJI_API_TOKEN_RATE", default="10/minute")},
}
# How long an API token works after it is issued: a working day. A new password, a lockout and a
# logout from the pages end it earlier.
XUEJI_API_TOKEN_HOURS = env.float("XUEJI_API_TOKEN_HOURS", default=8.0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Xueji 学籍 API",
    "DESCRIPTION": "The student-status register: students, classes, term calendars, requests and their steps.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "records.api_errors.document_errors",
        "records.api_errors.multipart_bodies_any_of",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RequestKindEnum": "flows.models.Request.Kind",
        "RequestStateEnum": "flows.models.Request.State",
        "StudentStatusEnum": "records.models.Student.Status",
        "EvidenceKindEnum": "flows.models.Evidence.Kind",
        "SubjectEnum": "records.subjects.Subject",
        "LevelEnum": "records.models.Level",
        "HeadCountPointEnum": "records.models.HeadCount.Point",
        "IntakeImportStateEnum": "records.models.IntakeImport.State",
        "RoleEnum": "records.models.Role",
        # The roles a school opens accounts in (records/api/accounts.py).
        "SchoolRoleEnum": "records.models.people.SCHOOL_ROLES",
    },
    # Swagger UI from the project's static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# A locked-out account gets JSON on the API and the lockout page elsewhere.
AXES_LOCKOUT_CALLABLE = "records.api_errors.lockout_response"
