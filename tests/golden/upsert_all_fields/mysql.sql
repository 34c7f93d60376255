INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
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
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, %(fullname)s, %(age)s, 'new')
    ) AS new
ON DUPLICATE KEY UPDATE
    name_changed_at = CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(new.name AS BINARY))) = 1
            THEN UTC_TIMESTAMP(6)
        ELSE account.name_changed_at END,
    contact_changed_at = CASE
        WHEN (
            (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(new.fullname AS BINARY))
            ) = 1
            OR (NOT (account.age <=> new.age)) = 1
        )
            THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes = JSON_SET(
        CASE
            WHEN JSON_VALID(account.changes) THEN CASE JSON_TYPE(account.changes)
                WHEN 'OBJECT' THEN account.changes
                ELSE JSON_OBJECT() END
            ELSE JSON_OBJECT() END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(new.name AS BINARY)))
                THEN '$."name"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(new.name AS BINARY)))
                THEN JSON_OBJECT(
                    'value',
                    LEFT(new.name, 30),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(new.fullname AS BINARY))
            )
                THEN '$."fullname"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(new.fullname AS BINARY))
            )
                THEN JSON_OBJECT(
                    'value',
                    LEFT(new.fullname, 100),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (NOT (account.age <=> new.age)) THEN '$."age"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (account.age <=> new.age))
                THEN JSON_OBJECT(
                    'value',
                    new.age,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END
    ),
    name = new.name,
    fullname = new.fullname,
    age = new.age,
    notes = new.notes,
    updated_at = UTC_TIMESTAMP(6)
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
