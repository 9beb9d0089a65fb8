"""The onestop command line."""
