"""iCalendar feeds: calendars to subscribe to, and single events as .ics files."""
