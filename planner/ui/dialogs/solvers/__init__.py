"""The solver window: one page per question a trader asks."""
