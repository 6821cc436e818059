"""Xueji settings: one module, read from the environment (see .env.example).

With no environment at all Xueji runs embedded: SQLite and Celery's filesystem broker under
var/, DEBUG on and a secret generated once into var/. Setting DATABASE_URL (and REDIS_URL)
switches to PostgreSQL (and Redis); then DJANGO_SECRET_KEY must be set too.
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

DEBUG = env.bool("DJANGO_DEBUG", default=EMBEDDED)


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

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
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
    "rest_framework.authtoken",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

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

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Celery: Redis when REDIS_URL is set, otherwise the filesystem broker under var/ so that a
# newcomer needs no server (a worker with -B runs beside the web server).
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A web request publishes after its commit; with Redis down it must fail in a moment, not hang
    # (kombu's default retries for about six seconds). The sweeps deliver what was not published.
    CELERY_BROKER_CONNECTION_TIMEOUT = env.float("XUEJI_BROKER_CONNECT_TIMEOUT", default=2.0)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
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
    # viewflow's due flow.Timer and .OnTimeout tasks: viewflow itself ships no Celery task for them.
    "fire-workflow-timers": {"task": "flows.tasks.fire_workflow_timers", "schedule": crontab()},
    # Intake files uploaded while the broker was down, or whose worker was lost, are validated now.
    "run-waiting-intake-imports": {"task": "flows.intake.tasks.run_waiting_intake_imports", "schedule": crontab(minute="*/5")},
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every step of every PDF (and of its import) at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

XUEJI_SITE_TITLE = _("学籍管理")

# The REST API (/api/v1/, issue 6): token or session login, JSON errors in the request's language.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["records.api_policy.IsMember"],
    "DEFAULT_PAGINATION_CLASS": "records.api_policy.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "records.api_errors.exception_handler",
    # The token endpoint only: per client address, on top of the per-account lockout of django-axes.
    "DEFAULT_THROTTLE_RATES": {"api_token": env.str("XUEJI_API_TOKEN_RATE", default="10/minute")},
}
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
    },
    # Swagger UI from the project's static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# A locked-out account gets JSON on the API and the lockout page elsewhere.
AXES_LOCKOUT_CALLABLE = "records.api_errors.lockout_response"
