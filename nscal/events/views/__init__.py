"""The events' pages: ``public`` (the event list and pages), ``calendar`` (the public
year and month calendars) and ``manage`` (the coordinators' pages under /manage/)."""
