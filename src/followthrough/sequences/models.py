"""The sequences room's models."""
