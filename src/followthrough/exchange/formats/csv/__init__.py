"""CSV: the reader every CSV parser shares, and the parsers of each platform and of any CSV."""
