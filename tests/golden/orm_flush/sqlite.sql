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
        notes,
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
        ?,
        strftime('%Y-%m-%d %H:%M:%f000', 'now'),
        strftime('%Y-%m-%d %H:%M:%f000', 'now')
    )
-- params:
--   1 = 'Spongebob'
--   2 = 'S. Squarepants'
--   3 = None
--   4 = 1
--   5 = 'Spongebob'
--   6 = 'S. Squarepants'
--   7 = None
--   8 = None

-- statement 2
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (?)
-- params:
--   1 = 1

-- statement 3
UPDATE account
SET
    name_changed_at=CASE
        WHEN (account.name IS NOT ?) = 1 THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.name_changed_at END,
    changes=json_remove(
        json_set(
            CASE
                WHEN json_valid(account.changes) THEN CASE json_type(account.changes)
                    WHEN 'object' THEN account.changes
                    ELSE json('{}') END
                ELSE json('{}') END,
            CASE
                WHEN (account.name IS NOT ?) THEN '$."name"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.name IS NOT ?)
                    THEN json_object(
                        'value',
                        ?,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END
        ),
        '$."~fieldstamps-noop"'
    ),
    name=?,
    updated_at=strftime('%Y-%m-%d %H:%M:%f000', 'now')
WHERE account.id = ?
-- params:
--   1 = 'Patrick Star'
--   2 = 'Patrick Star'
--   3 = 'Patrick Star'
--   4 = 'Patrick Star'
--   5 = 'Patrick Star'
--   6 = 2

-- statement 4
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (?)
-- params:
--   1 = 2
