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
        status,
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
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
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
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
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
--   4 = 'new'
--   5 = 0
--   6 = 'name 0'
--   7 = None
--   8 = 0
--   9 = 'new'
--   10 = 'name 1'
--   11 = None
--   12 = 1
--   13 = 'new'
--   14 = 1
--   15 = 'name 1'
--   16 = None
--   17 = 1
--   18 = 'new'

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
        status,
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
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?,
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
--   4 = 'new'
--   5 = 2
--   6 = 'name 2'
--   7 = None
--   8 = 2
--   9 = 'new'
