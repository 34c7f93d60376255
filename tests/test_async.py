"""AsyncSession: the same stamps, readable after commit without a refresh."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.stamps import TRACKED, assert_wrote, tick
from tests.stamps import read_user as read_row


# In both modes (the ``model`` fixture): stamps compiled into SQLAlchemy's
# writes, and stamps computed by triggers.
async def test_async_session_write_paths(
    db: Engine, async_engine: AsyncEngine, model: Any
) -> None:
    def read_user(db: Engine, user_id: int) -> Any:
        return read_row(db, user_id, model)

    sessions = async_sessionmaker(async_engine, expire_on_commit=False)
    try:
        async with sessions() as session:
            user = model(name="spongebob", fullname="Spongebob Squarepants")
            session.add(user)
            await session.commit()
            # Loaded with the write: no lazy load, so no MissingGreenlet.
            inserted = read_user(db, user.id)
            assert user.created_at == user.updated_at == inserted.created_at
            assert user.get_updated_at("name") == inserted.created_at
            assert user.name_changed_at == inserted.created_at

            tick()
            user.name = "Spongebob"
            await session.commit()
            renamed = read_user(db, user.id)
            assert_wrote(inserted, renamed, {"name"})
            assert user.updated_at == renamed.updated_at
            assert user.get_updated_at("name") == renamed.updated_at
            assert user.name_changed_at == renamed.updated_at

            tick()
            await session.execute(
                update(model).where(model.id == user.id).values(age=3)
            )
            await session.commit()
            updated = read_user(db, user.id)
            assert_wrote(renamed, updated, {"age"})
            await session.refresh(user)
            assert user.get_updated_at("age") == updated.updated_at

            tick()
            await session.execute(update(model), [{"id": user.id, "fullname": "SB"}])
            await session.execute(insert(model), [{"id": 777, "name": "bulk"}])
            await session.commit()
            assert_wrote(updated, read_user(db, user.id), {"fullname"})
            bulk = read_user(db, 777)
            assert bulk.stamps == dict.fromkeys(TRACKED, bulk.created_at)

            names = await session.scalars(
                select(model.name).where(
                    model.updated_at_of("name") >= inserted.created_at
                )
            )
            assert sorted(names.all()) == ["Spongebob", "bulk"]
    finally:
        await async_engine.dispose()
