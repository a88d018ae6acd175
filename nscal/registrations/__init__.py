"""Registrations by participant role: eligibility, limits, waiting list, approval."""
