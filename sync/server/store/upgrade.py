"""Bringing an older platform folder up to date when the platform opens it.

``create_all`` makes only missing tables, so a column or an index added since is added here, and
the tables whose keys became per hall (a hall's receipt numbers, idempotency keys, files and
event ids are its own) are rebuilt: each old row goes to the hall of its case, a message to the
hall of the terminal that sent it. An old file row goes to every hall one of whose cases holds it
as a scan; one no case holds is dropped, and its hall uploads it again when it next sends it. (The
platform's 办件编号, counted per hall now, go on after the old platform-wide count: see
``messages._register``.)
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, MetaData, inspect
from sqlalchemy import text as sql

# Columns added since a platform folder may have been made.
ADDED_COLUMNS = {("evaluations", "reasons"): "JSON NOT NULL DEFAULT '[]'"}

_CASE_HALL = "(SELECT c.hall_code FROM cases c WHERE c.receipt_no = old.receipt_no)"
# Where each row of a rebuilt table finds its hall, in the order they are rebuilt (a row's case
# first, then the cases' scans before the files they hold).
HALL_OF = {
    "cases": "old.hall_code",
    "items": _CASE_HALL,
    "messages": f"COALESCE((SELECT t.hall_code FROM terminals t WHERE t.id = old.terminal), "
    f"{_CASE_HALL})",
    "case_files": _CASE_HALL,
    "files": "",  # one row per hall holding it: see _copy_files
    "events": "old.hall_code",
    "evaluations": _CASE_HALL,
}


def upgrade(engine: Engine, metadata: MetaData) -> None:
    with engine.begin() as connection:
        _add_columns(connection)
        for name, hall in HALL_OF.items():
            if _unscoped(connection, metadata, name):
                _rebuild(connection, metadata, name, hall)
        for table in metadata.tables.values():  # indexes added since (create_all skips them)
            for index in table.indexes:
                index.create(connection, checkfirst=True)


def _add_columns(connection: Connection) -> None:
    for (table_name, column), definition in ADDED_COLUMNS.items():
        if column not in {c["name"] for c in inspect(connection).get_columns(table_name)}:
            connection.execute(sql(f"ALTER TABLE {table_name} ADD COLUMN {column} {definition}"))


def _unscoped(connection: Connection, metadata: MetaData, name: str) -> bool:
    """Whether the stored table lacks the hall in its keys."""
    found = inspect(connection)
    columns = {c["name"] for c in found.get_columns(name)}
    wanted = [c.name for c in metadata.tables[name].primary_key.columns]
    return "hall_code" not in columns or found.get_pk_constraint(name)[
        "constrained_columns"
    ] != list(wanted)


def _rebuild(connection: Connection, metadata: MetaData, name: str, hall: str) -> None:
    table = metadata.tables[name]
    found = inspect(connection)
    old_columns = {c["name"] for c in found.get_columns(name)}
    for index in found.get_indexes(name):  # named indexes keep their names when renamed
        connection.execute(sql(f'DROP INDEX "{index["name"]}"'))
    connection.execute(sql(f"ALTER TABLE {name} RENAME TO {name}_unscoped"))
    table.create(connection)
    kept = [c.name for c in table.columns if c.name in old_columns and c.name != "hall_code"]
    listed = ", ".join(kept)
    picked = ", ".join(f"old.{c}" for c in kept)
    if name == "files":
        _copy_files(connection, listed, picked)
    else:
        connection.execute(
            sql(
                f"INSERT INTO {name} (hall_code, {listed}) "
                f"SELECT COALESCE({hall}, ''), {picked} FROM {name}_unscoped old"
            )
        )
    connection.execute(sql(f"DROP TABLE {name}_unscoped"))


def _copy_files(connection: Connection, listed: str, picked: str) -> None:
    connection.execute(
        sql(
            f"INSERT INTO files (hall_code, {listed}) "
            f"SELECT DISTINCT held.hall_code, {picked} FROM files_unscoped old "
            "JOIN case_files held ON held.sha256 = old.sha256"
        )
    )
