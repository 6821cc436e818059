import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# The web server's statements are cancelled after XUEJI_STATEMENT_TIMEOUT (config/web_process.py).
from config.web_process import limit_statements  # noqa: E402

limit_statements()
