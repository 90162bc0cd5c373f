"""CSV: the reader all CSV parsers share, the parsers (each platform's, any CSV), the writer."""
