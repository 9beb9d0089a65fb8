"""PDF documents and ESC/POS tickets — to come."""
