"""The read-only JSON API for city websites: /api/events and /api/openapi.json.

``schemas`` declares each shape once (pydantic models); ``openapi`` builds the OpenAPI
3.1 document from them; ``views`` is the blueprint.
"""
