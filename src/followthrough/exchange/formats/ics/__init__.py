"""iCalendar (.ics): the parser of calendar events and their attendees into records."""
