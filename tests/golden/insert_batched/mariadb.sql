-- statement 1
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
        %(id__0)s,
        %(name__0)s,
        %(fullname__0)s,
        %(age__0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name__0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname__0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                %(age__0)s,
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
        %(id__1)s,
        %(name__1)s,
        %(fullname__1)s,
        %(age__1)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name__1)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname__1)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                %(age__1)s,
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
RETURNING account.id
-- params:
--   age__0 = 0
--   age__1 = 1
--   fullname__0 = None
--   fullname__1 = None
--   id__0 = 0
--   id__1 = 1
--   name__0 = 'name 0'
--   name__1 = 'name 1'

-- statement 2
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
        %(id__0)s,
        %(name__0)s,
        %(fullname__0)s,
        %(age__0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        JSON_SET(
            JSON_OBJECT(),
            '$."name"',
            JSON_OBJECT(
                'value',
                %(name__0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."fullname"',
            JSON_OBJECT(
                'value',
                %(fullname__0)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            ),
            '$."age"',
            JSON_OBJECT(
                'value',
                %(age__0)s,
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
RETURNING account.id
-- params:
--   age__0 = 2
--   fullname__0 = None
--   id__0 = 2
--   name__0 = 'name 2'
