"""What many tests share: the accessibility auditor, clocks, cases, cores, catalogs."""
