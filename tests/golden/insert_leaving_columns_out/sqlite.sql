INSERT INTO
    account (name, name_changed_at, contact_changed_at, created_at, updated_at, changes)
VALUES
    (
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
                'value', NULL, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'age',
            json_object(
                'value', NULL, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            ),
            'status',
            json_object(
                'value', 'new', 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   name = 'Sandy'
--   name = 'Sandy'
