"""The public front pages and the health check."""
