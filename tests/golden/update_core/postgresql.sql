UPDATE account
SET
    age=(account.age + %(age_1)s::INTEGER),
    status=%(b_status)s::VARCHAR,
    contact_changed_at=CASE
        WHEN (account.age IS DISTINCT FROM (account.age + %(age_1)s::INTEGER))
            THEN now()
        ELSE account.contact_changed_at END,
    updated_at=now(),
    changes=(
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.age IS DISTINCT FROM (account.age + %(age_1)s::INTEGER))
                THEN jsonb_build_object(
                    'age',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST((account.age + %(age_1)s::INTEGER) AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.status IS DISTINCT FROM %(b_status)s::VARCHAR)
                THEN jsonb_build_object(
                    'status',
                    jsonb_build_object(
                        'value',
                        to_jsonb(
                            CAST(CAST(%(b_status)s::VARCHAR AS VARCHAR(10)) AS TEXT)
                        ),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE account.id = %(b_id)s::INTEGER
-- params:
--   age_1 = 1
--   b_status = None
--   b_id = None
