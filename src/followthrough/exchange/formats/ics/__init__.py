"""iCalendar (.ics): content lines, blocks and their time zones, read into event records."""
