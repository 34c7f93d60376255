-- statement 1
INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        notes,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id)s,
        %(name)s,
        %(fullname)s,
        %(age)s,
        %(notes)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, %(fullname)s, %(age)s, 'new')
    )
-- params:
--   age = None
--   fullname = 'S. Squarepants'
--   id = 1
--   name = 'Spongebob'
--   notes = None

-- statement 2
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (%(id_1_1)s)
-- params:
--   id_1_1 = 1

-- statement 3
UPDATE account
SET
    name_changed_at=CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(%(name)s AS BINARY))) = 1
            THEN UTC_TIMESTAMP(6)
        ELSE account.name_changed_at END,
    changes=CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(%(name)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(account.changes)
                        THEN CASE JSON_TYPE(account.changes)
                        WHEN 'OBJECT' THEN account.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."name"',
                JSON_OBJECT(
                    'value',
                    LEFT(%(name)s, 30),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE account.changes END,
    name=%(name)s,
    updated_at=UTC_TIMESTAMP(6)
WHERE account.id = %(account_id)s
-- params:
--   account_id = 2
--   name = 'Patrick Star'

-- statement 4
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (%(id_1_1)s)
-- params:
--   id_1_1 = 2
