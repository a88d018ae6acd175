"""The WSGI entry point: ``gunicorn wsgi:app`` (and plain ``flask …`` commands)."""

from nscal import create_app

app = create_app()
