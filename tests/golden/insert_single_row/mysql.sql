INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        status,
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
        %(status)s,
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
                %(status)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
