"""Questions asked at registration (and after an event), the answers, and who else is coming."""
