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
    name = excluded.name,
    fullname = excluded.fullname,
    age = excluded.age,
    notes = excluded.notes,
    name_changed_at = CASE
        WHEN (account.name IS NOT excluded.name) = 1
            THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.name_changed_at END,
    contact_changed_at = CASE
        WHEN (
            (account.fullname IS NOT excluded.fullname) = 1
            OR (account.age IS NOT excluded.age) = 1
        )
            THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.contact_changed_at END,
    updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now'),
    changes = json_remove(
        json_set(
            CASE
                WHEN json_valid(account.changes) THEN CASE json_type(account.changes)
                    WHEN 'object' THEN account.changes
                    ELSE json('{}') END
                ELSE json('{}') END,
            CASE
                WHEN (account.name IS NOT excluded.name) THEN '$."name"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.name IS NOT excluded.name)
                    THEN json_object(
                        'value',
                        excluded.name,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.fullname IS NOT excluded.fullname) THEN '$."fullname"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.fullname IS NOT excluded.fullname)
                    THEN json_object(
                        'value',
                        excluded.fullname,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.age IS NOT excluded.age) THEN '$."age"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.age IS NOT excluded.age)
                    THEN json_object(
                        'value',
                        excluded.age,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END
        ),
        '$."~fieldstamps-noop"'
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
