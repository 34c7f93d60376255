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
        %(id)s,
        %(name)s,
        %(fullname)s,
        %(age)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, %(fullname)s, %(age)s, 'new')
    )
ON DUPLICATE KEY UPDATE
    contact_changed_at = CASE
        WHEN (NOT (account.age <=> %(param_2)s)) = 1 THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes = CASE
        WHEN (NOT (account.age <=> %(param_3)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(account.changes)
                        THEN CASE JSON_TYPE(account.changes)
                        WHEN 'OBJECT' THEN account.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."age"',
                JSON_OBJECT(
                    'value',
                    %(param_3)s,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE account.changes END,
    age = %(param_1)s,
    updated_at = UTC_TIMESTAMP(6)
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   param_1 = 4
--   param_2 = 4
--   param_3 = 4
