import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_asgi_application()

from core.body_limit import ASGIBodyLimit  # noqa: E402 - after Django is set up

# Oversized request bodies are refused before Django reads (and spools) them.
application = ASGIBodyLimit(django_application)
