"""The window clerk's counter app and the back-office mode — to come."""
