"""The citizen's self-service kiosk (touch, full screen) — to come."""
