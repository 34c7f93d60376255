UPDATE account
SET
    contact_changed_at=CASE
        WHEN (NOT (account.age <=> %(age)s)) = 1 THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes=CASE
        WHEN (NOT (account.age <=> %(age)s))
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
                    %(age)s,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE account.changes END,
    age=%(age)s,
    updated_at=UTC_TIMESTAMP(6)
-- params:
--   age = 3
