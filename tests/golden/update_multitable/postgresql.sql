UPDATE account
SET
    name=price.title,
    name_changed_at=CASE
        WHEN (account.name IS DISTINCT FROM price.title) THEN now()
        ELSE account.name_changed_at END,
    contact_changed_at=CASE
        WHEN (
            (account.fullname IS DISTINCT FROM account.fullname)
            OR (account.age IS DISTINCT FROM account.age)
        )
            THEN now()
        ELSE account.contact_changed_at END,
    updated_at=now(),
    changes=(
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.name IS DISTINCT FROM price.title)
                THEN jsonb_build_object(
                    'name',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(price.title AS VARCHAR(30)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.fullname IS DISTINCT FROM account.fullname)
                THEN jsonb_build_object(
                    'fullname',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(account.fullname AS VARCHAR(100)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.age IS DISTINCT FROM account.age)
                THEN jsonb_build_object(
                    'age',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(account.age AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.status IS DISTINCT FROM account.status)
                THEN jsonb_build_object(
                    'status',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(account.status AS VARCHAR(10)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
FROM price
WHERE account.id = price.id
-- params: none
