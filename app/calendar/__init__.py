"""Working days from the official holiday calendar (to come with promised dates)."""
