"""The attendance pages, on one blueprint, ``attendance``: the participants' check-in
and certificates in ``public``, the coordinators' ``/manage/…`` pages in ``manage``."""

from nscal.attendance.views import manage, public  # noqa: F401 - attach the routes
from nscal.attendance.views.blueprint import attendance

__all__ = ["attendance"]
