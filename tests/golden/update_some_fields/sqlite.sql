UPDATE account
SET
    age=?,
    contact_changed_at=CASE
        WHEN (account.age IS NOT ?) = 1 THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.contact_changed_at END,
    updated_at=strftime('%Y-%m-%d %H:%M:%f000', 'now'),
    changes=CASE
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
--   age = 3
--   age = 3
--   age = 3
--   age = 3
