"""Qt widgets shared by the kiosk and the counter app; the only core package that may use Qt."""
