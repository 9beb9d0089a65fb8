"""Data shipped with OneStop: the catalog, samples, translations and icons."""
