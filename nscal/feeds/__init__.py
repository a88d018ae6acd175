"""iCalendar feeds and the JSON API."""
