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
-- params:
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
