-- statement 1
INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        notes,
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
-- params:
--   1 = 1
--   2 = 'Spongebob'
--   3 = 'S. Squarepants'
--   4 = None
--   5 = None
--   6 = 'Spongebob'
--   7 = 'S. Squarepants'
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
    name=?,
    name_changed_at=CASE
        WHEN (account.name IS NOT ?) = 1 THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.name_changed_at END,
    updated_at=strftime('%Y-%m-%d %H:%M:%f000', 'now'),
    changes=CASE
        WHEN (account.name IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(account.changes)
                        THEN CASE json_type(account.changes)
                        WHEN 'object' THEN account.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."name"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE account.changes END
WHERE account.id = ?
-- params:
--   1 = 'Patrick Star'
--   2 = 'Patrick Star'
--   3 = 'Patrick Star'
--   4 = 'Patrick Star'
--   5 = 2

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
