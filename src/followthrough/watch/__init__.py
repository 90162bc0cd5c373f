"""Watching what others do: organizations' news feeds, fetched safely, polled in the
background, and shown on "Around you" and each organization's page."""
