"""``postgresql-audit``: PostgreSQL-Audit (the ``bench`` extra), default options.

A trigger-based audit log: its triggers write one ``activity`` row per
inserted, updated or deleted row, with the old row (``old_data``) and the
columns that changed (``changed_data``) as JSONB. "When did name last change"
is the ``issued_at`` of the newest activity of the row whose ``changed_data``
has ``name``. PostgreSQL only: its triggers are PL/pgSQL over JSONB.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, Select, case, func, literal, select
from sqlalchemy.orm import DeclarativeBase, configure_mappers, object_session

from ._base import TRACKED_FIELDS, Contender, PostTimestampMixin, UserColumns


class PostgresqlAudit(Contender):
    name = "postgresql-audit"
    note = (
        "VersioningManager() defaults: statement-level triggers, no actor "
        "model, no transaction row (nothing sets its values); W5/W6 use its "
        "own indexes only (activity has none on the row id or issued_at); W3 "
        "is quadratic in N: the UPDATE trigger's INSERT..SELECT keeps the plan "
        "PL/pgSQL cached for W2's one-row statements, a nested loop that "
        "rescans the transition tables once per row; W8 reads the row's last "
        "10 activities whose changed_data has name (no index serves it)"
    )

    def __init__(self, dialect: str) -> None:
        super().__init__(dialect)
        if dialect != "postgresql":
            # Shown as this contender's n/a row on the other databases.
            raise NotImplementedError(
                "PostgreSQL only (its triggers are PL/pgSQL over JSONB)"
            )
        # Imported here, not at module level: a missing or broken package
        # must fail this contender's worker only, with its own message.
        from postgresql_audit import VersioningManager

        class Base(DeclarativeBase):
            pass

        # A manager of its own rather than the module-level one; init() hooks
        # mapper instrumentation, so it runs before the model is declared.
        self._manager = VersioningManager()
        self._manager.init(Base)

        class User(PostTimestampMixin, UserColumns, Base):
            __versioned__: dict[str, Any] = {}  # noqa: RUF012 (its API)

        configure_mappers()  # registers the audit_table() call for the table
        self._user = User
        self._activity = self._manager.activity_cls

    @property
    def model(self) -> type[UserColumns]:
        return self._user

    def create_schema(self, engine: Engine) -> None:
        # As its own test suite does: activity (whose after_create defines
        # audit_table()) must exist before the audited table's after_create
        # calls audit_table(); create_all() alone orders user_account first
        # and fails with "function audit_table(unknown) does not exist".
        with engine.begin() as conn:
            self._manager.transaction_cls.__table__.create(conn)
            self._activity.__table__.create(conn)
            self.metadata.create_all(conn)

    def _activities(self, field: str) -> tuple[Any, list[Any]]:
        activity = self._activity
        return activity, [
            activity.table_name == self._user.__tablename__,
            activity.changed_data.has_key(field),
        ]

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        activity, where = self._activities(field)
        session = object_session(row)
        assert session is not None
        # activity.data is old_data || changed_data: the row as written.
        issued_at: dt.datetime | None = session.scalar(
            select(func.max(activity.issued_at)).where(
                *where, activity.data["id"].astext == str(row.id)
            )
        )
        # issued_at is naive UTC (statement_timestamp() AT TIME ZONE 'UTC').
        return None if issued_at is None else issued_at.replace(tzinfo=dt.UTC)

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        activity, where = self._activities(field)
        naive = since.astimezone(dt.UTC).replace(tzinfo=None)
        return select(func.count(activity.data["id"].astext.distinct())).where(
            *where, activity.issued_at >= naive
        )

    def last_changes(self, field: str, row_id: int, limit: int) -> Select[Any]:
        activity, where = self._activities(field)
        return (
            select(activity)
            .where(*where, activity.data["id"].astext == str(row_id))
            .order_by(activity.issued_at.desc(), activity.id.desc())
            .limit(limit)
        )

    @property
    def history_tables(self) -> tuple[str, ...]:
        return (
            self._activity.__table__.name,
            self._manager.transaction_cls.__table__.name,
        )

    def count_field_changes(self) -> Select[Any]:
        # changed_data holds the columns an activity changed (all on insert).
        activity = self._activity
        changed = sum(
            (
                case((activity.changed_data.has_key(f), 1), else_=0)
                for f in TRACKED_FIELDS
            ),
            start=literal(0),
        )
        return select(func.coalesce(func.sum(changed), 0)).where(
            activity.table_name == self._user.__tablename__
        )


def contender(dialect: str) -> Contender:
    return PostgresqlAudit(dialect)
