"""Writes of the sequences room: `runs` (starting, moving on, ending, undoing) and
`editing` (sequences and their steps, and what an edit does to the runs on them)."""
