"""Parts of the position editor: the symbol picker and the take-profit levels."""
