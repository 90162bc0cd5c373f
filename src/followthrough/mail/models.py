"""The mail room's models."""
