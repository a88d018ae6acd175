"""A person's own data: the export, deleting an account, retention and the privacy page."""
