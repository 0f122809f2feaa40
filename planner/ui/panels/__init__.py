"""Views docked in the main window: positions, editor, account, markets, twin, scenarios."""
