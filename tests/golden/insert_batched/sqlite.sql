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
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_object(
            'name',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'fullname',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'age',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'status',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    ),
    (
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_object(
            'name',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'fullname',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'age',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'status',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
RETURNING id
-- params:
--   1 = 0
--   2 = 'name 0'
--   3 = None
--   4 = 0
--   5 = 'name 0'
--   6 = None
--   7 = 0
--   8 = 1
--   9 = 'name 1'
--   10 = None
--   11 = 1
--   12 = 'name 1'
--   13 = None
--   14 = 1

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
        ?,
        ?,
        ?,
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        json_object(
            'name',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'fullname',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'age',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'status',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
RETURNING id
-- params:
--   1 = 2
--   2 = 'name 2'
--   3 = None
--   4 = 2
--   5 = 'name 2'
--   6 = None
--   7 = 2
