"""The onestop command line: with :mod:`app.bootstrap`, the composition root. It is the one part
of ``app`` that reaches the user interfaces (``counter``, ``kiosk``), printing and sync — it
builds them from the settings and hands them the core — and nothing imports it
(``tests/test_layering.py`` reads every import statement to hold both)."""
