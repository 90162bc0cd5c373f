"""Exports: the Export page and the code that streams a workspace as CSV, vCard, iCalendar."""
