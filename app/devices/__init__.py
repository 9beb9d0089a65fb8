"""Devices: protocols, the keyboard-wedge detector and simulated drivers (no UI, no hardware
libraries: drivers that need them live with the screens)."""
