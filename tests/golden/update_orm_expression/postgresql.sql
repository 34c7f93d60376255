UPDATE account
SET
    name=%(name)s::VARCHAR,
    fullname=account.name,
    name_changed_at=CASE
        WHEN (account.name IS DISTINCT FROM %(name)s::VARCHAR) THEN now()
        ELSE account.name_changed_at END,
    contact_changed_at=CASE
        WHEN (account.fullname IS DISTINCT FROM account.name) THEN now()
        ELSE account.contact_changed_at END,
    updated_at=now(),
    changes=(
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.name IS DISTINCT FROM %(name)s::VARCHAR)
                THEN jsonb_build_object(
                    'name',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(name)s::VARCHAR AS VARCHAR(30)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.fullname IS DISTINCT FROM account.name)
                THEN jsonb_build_object(
                    'fullname',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(account.name AS VARCHAR(100)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE account.id = %(id_1)s::INTEGER
-- params:
--   name = 'Spongebob'
--   id_1 = 5
