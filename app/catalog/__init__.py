"""Scenario catalog (GB/T 45836 §5): schema, loader, static checks, versions."""
