"""SQLAlchemy models, sessions and Alembic migrations (to come with the cases work)."""
