UPDATE account
SET
    contact_changed_at=CASE
        WHEN (NOT (account.age <=> (account.age + %(age_1)s))) = 1 THEN UTC_TIMESTAMP(6)
        ELSE account.contact_changed_at END,
    changes=JSON_SET(
        CASE
            WHEN JSON_VALID(account.changes) THEN CASE JSON_TYPE(account.changes)
                WHEN 'OBJECT' THEN account.changes
                ELSE JSON_OBJECT() END
            ELSE JSON_OBJECT() END,
        CASE
            WHEN (NOT (account.age <=> (account.age + %(age_1)s))) THEN '$."age"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (account.age <=> (account.age + %(age_1)s)))
                THEN JSON_OBJECT(
                    'value',
                    (account.age + %(age_1)s),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END,
        CASE
            WHEN (NOT (CAST(account.status AS BINARY) <=> CAST(%(b_status)s AS BINARY)))
                THEN '$."status"'
            ELSE '$."~fieldstamps-noop"."~"' END,
        CASE
            WHEN (NOT (CAST(account.status AS BINARY) <=> CAST(%(b_status)s AS BINARY)))
                THEN JSON_OBJECT(
                    'value',
                    LEFT(%(b_status)s, 10),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                ) END
    ),
    age=(account.age + %(age_1)s),
    status=%(b_status)s,
    updated_at=UTC_TIMESTAMP(6)
WHERE account.id = %(b_id)s
-- params:
--   age_1 = 1
--   b_status = None
--   b_id = None
