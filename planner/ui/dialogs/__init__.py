"""Windows opened from the menus: solvers, the two-asset map, maintenance tables, export, about."""
