"""The reminders room's models."""
