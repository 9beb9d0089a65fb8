"""Questionnaire engine: answers and facts in, a plan out (items, materials, form, flow)."""
