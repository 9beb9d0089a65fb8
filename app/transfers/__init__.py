"""Ledger of paper materials moving between the window and the departments (to come)."""
