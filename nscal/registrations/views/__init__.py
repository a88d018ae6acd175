"""The registration pages, all on one blueprint, ``registrations``.

Members' pages (register, cancel, My events) are in ``public``; the coordinators'
``/manage/…`` pages (roster, on-behalf, status, registrations.csv, cities' year) are in
``manage``. Importing them attaches their routes to the blueprint.
"""

from nscal.registrations.views import cards, manage, public  # noqa: F401 - attach the routes
from nscal.registrations.views.blueprint import registrations

__all__ = ["registrations"]
