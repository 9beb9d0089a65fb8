"""The counter's Qt widgets: they show a presenter's state and forward the clerk's actions."""
