"""Materials of an event: files (slides, reports, minutes, photos) and links; minutes mail."""
