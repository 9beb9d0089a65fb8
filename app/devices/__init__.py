"""Protocols for scanners, ID readers, cameras and printers, with simulated drivers (to come)."""
