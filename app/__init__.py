"""OneStop core shared by the counter app and the kiosk; nothing here imports a user interface."""
