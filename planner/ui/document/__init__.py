"""The plan document: the window's one state, its undo commands and the pure edits."""
