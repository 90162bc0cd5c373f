"""The file formats as pure code (no database): each one's reader and writer, side by side."""
