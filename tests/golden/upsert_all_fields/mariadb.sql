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
    )
ON DUPLICATE KEY UPDATE
    name_changed_at = CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(VALUES(name) AS BINARY))) = 1
            THEN UTC_TIMESTAMP(6)
        ELSE account.name_changed_at END,
    contact_changed_at = CASE
        WHEN (
            (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(VALUES(fullname) AS BINARY)
                )
            ) = 1
            OR (NOT (account.age <=> VALUES(age))) = 1
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
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(VALUES(name) AS BINARY)))
                THEN '$."name"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(VALUES(name) AS BINARY)))
                THEN JSON_OBJECT(
                    'value',
                    LEFT(VALUES(name), 30),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(VALUES(fullname) AS BINARY)
                )
            )
                THEN '$."fullname"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(VALUES(fullname) AS BINARY)
                )
            )
                THEN JSON_OBJECT(
                    'value',
                    LEFT(VALUES(fullname), 100),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (NOT (account.age <=> VALUES(age))) THEN '$."age"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (account.age <=> VALUES(age)))
                THEN JSON_OBJECT(
                    'value',
                    VALUES(age),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END
    ),
    name = VALUES(name),
    fullname = VALUES(fullname),
    age = VALUES(age),
    notes = VALUES(notes),
    updated_at = UTC_TIMESTAMP(6)
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
