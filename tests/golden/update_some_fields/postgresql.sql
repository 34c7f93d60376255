UPDATE account
SET
    age=%(age)s::INTEGER,
    contact_changed_at=CASE
        WHEN (account.age IS DISTINCT FROM %(age)s::INTEGER) THEN now()
        ELSE account.contact_changed_at END,
    updated_at=now(),
    changes=(
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.age IS DISTINCT FROM %(age)s::INTEGER)
                THEN jsonb_build_object(
                    'age',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(age)s::INTEGER AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
-- params:
--   age = 3
