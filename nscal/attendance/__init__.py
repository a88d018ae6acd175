"""Attendance: who came (marked by coordinators or checked in with the event's code),
and the certificates of attendance that follow from it."""
