"""The WSGI entry point: ``gunicorn wsgi:app`` (and plain ``flask …`` commands)."""

import gc

from nscal import create_app

app = create_app()

# What is loaded now (modules, the app, its templates' code) lives as long as the
# worker: moved out of the collector's generations, it is no longer walked by every
# full collection, which the big pages (a year of events) set off while they render.
gc.collect()
gc.freeze()
