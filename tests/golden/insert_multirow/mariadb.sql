INSERT INTO
    account (
        id,
        name,
        fullname,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id_m0)s,
        %(name_m0)s,
        %(fullname_m0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name_m0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname_m0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                NULL,
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
    ),
    (
        %(id_m1)s,
        %(name_m1)s,
        %(fullname_m1)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name_m1)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname_m1)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                NULL,
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
-- params:
--   id_m0 = 1
--   name_m0 = 'Spongebob'
--   fullname_m0 = 'Spongebob Squarepants'
--   id_m1 = 2
--   name_m1 = 'Patrick'
--   fullname_m1 = None
