UPDATE account
SET
    name=price.title,
    name_changed_at=CASE
        WHEN (account.name IS NOT price.title) = 1
            THEN strftime('%Y-%m-%d %H:%M:%f000', 'now')
        ELSE account.name_changed_at END,
    contact_changed_at=CASE
        WHEN (
            (account.fullname IS NOT account.fullname) = 1
            OR (account.age IS NOT account.age) = 1
        )
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
                WHEN (account.name IS NOT price.title) THEN '$."name"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.name IS NOT price.title)
                    THEN json_object(
                        'value',
                        price.title,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.fullname IS NOT account.fullname) THEN '$."fullname"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.fullname IS NOT account.fullname)
                    THEN json_object(
                        'value',
                        account.fullname,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.age IS NOT account.age) THEN '$."age"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.age IS NOT account.age)
                    THEN json_object(
                        'value',
                        account.age,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END,
            CASE
                WHEN (account.status IS NOT account.status) THEN '$."status"'
                ELSE '$."~fieldstamps-noop"' END,
            CASE
                WHEN (account.status IS NOT account.status)
                    THEN json_object(
                        'value',
                        account.status,
                        'updated_at',
                        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                    ) END
        ),
        '$."~fieldstamps-noop"'
    )
FROM price
WHERE account.id = price.id
-- params: none
