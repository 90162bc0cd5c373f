"""Followthrough: a relationship manager for people who network for a cause."""

__version__ = "0.1.0"
