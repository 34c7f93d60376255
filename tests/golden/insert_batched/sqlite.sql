-- statement 1
INSERT INTO
    account (
        name_changed_at,
        contact_changed_at,
        changes,
        id,
        name,
        fullname,
        age,
        created_at,
        updated_at
    )
VALUES
    (
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_set(
            json('{}'),
            '$."name"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."fullname"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."age"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."status"',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now')
    ),
    (
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_set(
            json('{}'),
            '$."name"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."fullname"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."age"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."status"',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now')
    )
RETURNING id
-- params:
--   1 = 'name 0'
--   2 = None
--   3 = 0
--   4 = 0
--   5 = 'name 0'
--   6 = None
--   7 = 0
--   8 = 'name 1'
--   9 = None
--   10 = 1
--   11 = 1
--   12 = 'name 1'
--   13 = None
--   14 = 1

-- statement 2
INSERT INTO
    account (
        name_changed_at,
        contact_changed_at,
        changes,
        id,
        name,
        fullname,
        age,
        created_at,
        updated_at
    )
VALUES
    (
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_set(
            json('{}'),
            '$."name"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."fullname"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."age"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            '$."status"',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now')
    )
RETURNING id
-- params:
--   1 = 'name 2'
--   2 = None
--   3 = 2
--   4 = 2
--   5 = 'name 2'
--   6 = None
--   7 = 2
