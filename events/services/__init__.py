"""Writes and reads of regional programmes, split by workflow: programmes, registrations, mail,
check-in, calendar (.ics) and exports."""
