INSERT INTO
    account (name, name_changed_at, contact_changed_at, created_at, updated_at, changes)
VALUES
    (
        %(name)s,
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
                NULL,
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
--   name = 'Sandy'
