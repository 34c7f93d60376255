UPDATE account, price
SET
    account.name=price.title,
    account.name_changed_at=CASE
        WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(price.title AS BINARY))) = 1
            THEN UTC_TIMESTAMP(6)
        ELSE account.name_changed_at END,
    account.contact_changed_at=CASE
        WHEN (
            (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(account.fullname AS BINARY)
                )
            ) = 1
            OR (NOT (account.age <=> account.age)) = 1
        )
            THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    account.updated_at=UTC_TIMESTAMP(6),
    account.changes=JSON_SET(
        CASE
            WHEN JSON_VALID(account.changes) THEN CASE JSON_TYPE(account.changes)
                WHEN 'OBJECT' THEN account.changes
                ELSE JSON_OBJECT() END
            ELSE JSON_OBJECT() END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(price.title AS BINARY)))
                THEN '$."name"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (CAST(account.name AS BINARY) <=> CAST(price.title AS BINARY)))
                THEN JSON_OBJECT(
                    'value',
                    LEFT(price.title, 30),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(account.fullname AS BINARY)
                )
            )
                THEN '$."fullname"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (
                NOT (
                    CAST(
                        account.fullname AS BINARY
                    ) <=> CAST(account.fullname AS BINARY)
                )
            )
                THEN JSON_OBJECT(
                    'value',
                    LEFT(account.fullname, 100),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (NOT (account.age <=> account.age)) THEN '$."age"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (account.age <=> account.age))
                THEN JSON_OBJECT(
                    'value',
                    account.age,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (
                NOT (CAST(account.status AS BINARY) <=> CAST(account.status AS BINARY))
            )
                THEN '$."status"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (
                NOT (CAST(account.status AS BINARY) <=> CAST(account.status AS BINARY))
            )
                THEN JSON_OBJECT(
                    'value',
                    LEFT(account.status, 10),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END
    )
WHERE account.id = price.id
-- params: none
