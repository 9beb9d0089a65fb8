"""Working days (工作日) from the official holiday calendar; see :mod:`app.calendar.workdays`."""
