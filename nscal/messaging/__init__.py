"""Messages from coordinators to the people registered for an event or a series."""
