UPDATE account
SET
    name_changed_at=CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(%(name)s AS BINARY))) = 1
            THEN UTC_TIMESTAMP(6)
        ELSE account.name_changed_at END,
    contact_changed_at=CASE
        WHEN (
            (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(%(fullname)s AS BINARY))
            ) = 1
            OR (NOT (account.age <=> %(age)s)) = 1
        )
            THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes=JSON_SET(
        CASE
            WHEN JSON_VALID(account.changes) THEN CASE JSON_TYPE(account.changes)
                WHEN 'OBJECT' THEN account.changes
                ELSE JSON_OBJECT() END
            ELSE JSON_OBJECT() END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(%(name)s AS BINARY)))
                THEN '$."name"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(%(name)s AS BINARY)))
                THEN JSON_OBJECT(
                    'value',
                    LEFT(%(name)s, 30),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(%(fullname)s AS BINARY))
            )
                THEN '$."fullname"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (
                NOT (CAST(account.fullname AS BINARY) <=> CAST(%(fullname)s AS BINARY))
            )
                THEN JSON_OBJECT(
                    'value',
                    LEFT(%(fullname)s, 100),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (NOT (account.age <=> %(age)s)) THEN '$."age"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (account.age <=> %(age)s))
                THEN JSON_OBJECT(
                    'value',
                    %(age)s,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END
    ),
    name=%(name)s,
    fullname=%(fullname)s,
    age=%(age)s,
    updated_at=UTC_TIMESTAMP(6)
WHERE account.id = %(id_1)s
-- params:
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   id_1 = 5
