"""Period statistics, §8.1 effectiveness and evaluations: queries, no user interface (to come)."""
