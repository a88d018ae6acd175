"""Network insight: participation by city, role, kind, format and year (/manage/statistics)."""
