import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_wsgi_application()

from core.body_limit import WSGIBodyLimit  # noqa: E402 - after Django is set up

# Oversized request bodies are refused before Django reads them.
application = WSGIBodyLimit(django_application)
