"""The registration pages."""

from nscal.registrations.views.public import registrations

__all__ = ["registrations"]
