"""CSV: the shared reader and cell values, the parsers (each platform's, any CSV), the writer."""
