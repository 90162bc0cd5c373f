"""Imports: the pipeline from parsed records to rows (clean, dedupe, write, undo), and its pages."""
