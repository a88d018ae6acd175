"""The coordinators' pages."""
