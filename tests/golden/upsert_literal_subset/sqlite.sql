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
ON CONFLICT (id)
DO UPDATE SET
    age = ?,
    contact_changed_at = CASE
        WHEN (account.age IS NOT ?) = 1 THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.contact_changed_at END,
    updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now'),
    changes = CASE
        WHEN (account.age IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(account.changes)
                        THEN CASE json_type(account.changes)
                        WHEN 'object' THEN account.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."age"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE account.changes END
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   param_1 = 4
--   param_1 = 4
--   param_1 = 4
--   param_1 = 4
