"""Mission intersection: how well another organization's work meets ours, with the reasons
in plain words. Reads people and relationships only, so that events (above it) can rank an
event's attendees with it; it knows no pages."""
