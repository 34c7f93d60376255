"""``continuum``: SQLAlchemy-Continuum (the ``bench`` extra), default options.

Continuum keeps a version row per write; "when did name last change" is the
transaction time of the newest version whose ``changeset`` has ``name``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import DeclarativeBase, aliased, configure_mappers

from ._base import TRACKED_FIELDS, Contender, PostTimestampMixin, UserColumns


class Continuum(Contender):
    name = "continuum"
    note = (
        "make_versioned(user_cls=None): default options, minus the link to a "
        "User model for transaction authors, which the benchmark has none of; "
        "W6 uses Continuum's own indexes (issued_at has none); W8 reads the "
        "row's last 10 versions (one per row write, all columns) with their "
        "transaction's issued_at, by its (id, transaction_id) key"
    )

    def __init__(self, dialect: str) -> None:
        super().__init__(dialect)
        # Imported here, not at module level: a missing or broken Continuum
        # must fail this contender's worker only, with its own message.
        import sqlalchemy_continuum as continuum

        # Must run before the model is declared: it hooks mapper creation.
        continuum.make_versioned(user_cls=None)

        class Base(DeclarativeBase):
            pass

        class User(PostTimestampMixin, UserColumns, Base):
            __versioned__: dict[str, Any] = {}  # noqa: RUF012 (Continuum's API)

        configure_mappers()  # Continuum builds the version classes here
        self._user = User
        self._version = continuum.version_class(User)
        self._transaction = continuum.transaction_class(User)

    @property
    def model(self) -> type[UserColumns]:
        return self._user

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        # Continuum's API: walk the versions newest first; each version's
        # changeset compares it with its predecessor.
        transaction_id = self._version.transaction_id
        for version in row.versions.order_by(transaction_id.desc()):
            if field in version.changeset:
                issued_at: dt.datetime = version.transaction.issued_at
                # issued_at is naive UTC (Continuum's utc_now()).
                return issued_at.replace(tzinfo=dt.UTC)
        return None

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        # Versions written since T whose field differs from the version before
        # (the "validity" strategy links them through end_transaction_id), or
        # which have no predecessor (the INSERT).
        version, transaction = self._version, self._transaction
        previous = aliased(version)
        naive = since.astimezone(dt.UTC).replace(tzinfo=None)
        return (
            select(func.count(version.id.distinct()))
            .join(transaction, transaction.id == version.transaction_id)
            .outerjoin(
                previous,
                and_(
                    previous.id == version.id,
                    previous.end_transaction_id == version.transaction_id,
                ),
            )
            .where(
                transaction.issued_at >= naive,
                or_(
                    previous.id.is_(None),
                    getattr(previous, field) != getattr(version, field),
                ),
            )
        )

    def last_changes(self, field: str, row_id: int, limit: int) -> Select[Any]:
        # Continuum keeps whole-row versions, not field changes: the closest
        # query is the row's newest versions, whose `field` holds each value,
        # with the time from their transaction.
        version, transaction = self._version, self._transaction
        return (
            select(version, transaction.issued_at)
            .join(transaction, transaction.id == version.transaction_id)
            .where(version.id == row_id)
            .order_by(version.transaction_id.desc())
            .limit(limit)
        )

    @property
    def history_tables(self) -> tuple[str, ...]:
        return (self._version.__table__.name, self._transaction.__table__.name)

    def count_field_changes(self) -> Select[Any]:
        # A version without a predecessor is an insert (every field counts);
        # otherwise the fields differing from the version before it.
        version, previous = self._version, aliased(self._version)
        differing = sum(
            (
                case((getattr(previous, f) != getattr(version, f), 1), else_=0)
                for f in TRACKED_FIELDS
            ),
            start=literal(0),
        )
        per_version = case(
            (previous.id.is_(None), len(TRACKED_FIELDS)), else_=differing
        )
        return select(func.coalesce(func.sum(per_version), 0)).outerjoin_from(
            version,
            previous,
            and_(
                previous.id == version.id,
                previous.end_transaction_id == version.transaction_id,
            ),
        )


def contender(dialect: str) -> Contender:
    return Continuum(dialect)
