"""The pages of the directory: people and organizations as a member sees them, which
combine the people room with relationships (stage, timeline), events and import history.
A top layer, beside exchange: it may import every domain app."""
