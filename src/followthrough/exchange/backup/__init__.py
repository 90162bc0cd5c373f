"""Backups: a workspace's JSON backup and its restore, and the copy of a whole SQLite database."""
