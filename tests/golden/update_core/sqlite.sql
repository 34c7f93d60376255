UPDATE account
SET
    age=(account.age + ?),
    status=?,
    contact_changed_at=CASE
        WHEN (account.age IS NOT (account.age + ?)) = 1
            THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.contact_changed_at END,
    updated_at=strftime('%Y-%m-%d %H:%M:%f000', 'now'),
    changes=json_remove(
        json_set(
            CASE
                WHEN json_valid(account.changes) THEN CASE json_type(account.changes)
                    WHEN 'object' THEN account.changes
                    ELSE json('{}') END
                ELSE json('{}') END,
            CASE
                WHEN (account.age IS NOT (account.age + ?)) THEN '$."age"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.age IS NOT (account.age + ?))
                    THEN json_object(
                        'value',
                        (account.age + ?),
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.status IS NOT ?) THEN '$."status"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.status IS NOT ?)
                    THEN json_object(
                        'value',
                        ?,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END
        ),
        '$."~fieldstamps-noop"'
    )
WHERE account.id = ?
-- params:
--   age_1 = 1
--   b_status = None
--   age_1 = 1
--   age_1 = 1
--   age_1 = 1
--   age_1 = 1
--   b_status = None
--   b_status = None
--   b_status = None
--   b_id = None
