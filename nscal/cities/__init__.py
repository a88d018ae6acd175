"""Member cities and participant roles."""
