UPDATE account
SET
    name=?,
    fullname=account.name,
    name_changed_at=CASE
        WHEN (account.name IS NOT ?) = 1 THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.name_changed_at END,
    contact_changed_at=CASE
        WHEN (account.fullname IS NOT account.name) = 1
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
                WHEN (account.name IS NOT ?) THEN '$."name"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.name IS NOT ?)
                    THEN json_object(
                        'value',
                        ?,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.fullname IS NOT account.name) THEN '$."fullname"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.fullname IS NOT account.name)
                    THEN json_object(
                        'value',
                        account.name,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END
        ),
        '$."~fieldstamps-noop"'
    )
WHERE account.id = ?
-- params:
--   name = 'Spongebob'
--   name = 'Spongebob'
--   name = 'Spongebob'
--   name = 'Spongebob'
--   name = 'Spongebob'
--   id_1 = 5
