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
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                %(age)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."status"',
            JSON_OBJECT(
                'value',
                'new',
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
ON DUPLICATE KEY UPDATE
    contact_changed_at = CASE
        WHEN (NOT (account.age <=> %(param_2)s)) = 1 THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes = CASE
        WHEN (NOT (account.age <=> %(param_3)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(account.changes)
                        THEN CASE JSON_TYPE(account.changes)
                        WHEN 'OBJECT' THEN account.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."age"',
                JSON_OBJECT(
                    'value',
                    %(param_3)s,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE account.changes END,
    age = %(param_1)s,
    updated_at = UTC_TIMESTAMP(6)
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   param_1 = 4
--   param_2 = 4
--   param_3 = 4
