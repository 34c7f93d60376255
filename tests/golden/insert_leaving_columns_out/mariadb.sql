INSERT INTO
    account (
        name_changed_at,
        contact_changed_at,
        changes,
        name,
        fullname,
        age,
        status,
        created_at,
        updated_at
    )
VALUES
    (
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
                %(param_1)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        ),
        %(name)s,
        %(fullname)s,
        %(age)s,
        %(param_1)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6)
    )
-- params:
--   name = 'Sandy'
--   fullname = None
--   age = None
--   param_1 = 'new'
