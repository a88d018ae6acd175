"""The programme of an event: talks, sessions, breaks and workshops, in parallel rooms."""
