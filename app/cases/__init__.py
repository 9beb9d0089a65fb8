"""Case lifecycle, receipt numbers, decisions and evaluations (to come with the cases work)."""
