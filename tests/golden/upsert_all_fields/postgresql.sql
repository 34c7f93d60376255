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
        %(id)s::INTEGER,
        %(name)s::VARCHAR,
        %(fullname)s::VARCHAR,
        %(age)s::INTEGER,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name)s::VARCHAR AS VARCHAR),
            CAST(%(fullname)s::VARCHAR AS VARCHAR),
            CAST(%(age)s::INTEGER AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
ON CONFLICT (id)
DO UPDATE SET
    name = excluded.name,
    fullname = excluded.fullname,
    age = excluded.age,
    notes = excluded.notes,
    name_changed_at = CASE
        WHEN (account.name IS DISTINCT FROM excluded.name) THEN now()
        ELSE account.name_changed_at END,
    contact_changed_at = CASE
        WHEN (
            (account.fullname IS DISTINCT FROM excluded.fullname)
            OR (account.age IS DISTINCT FROM excluded.age)
        )
            THEN now()
        ELSE account.contact_changed_at END,
    updated_at = now(),
    changes = (
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.name IS DISTINCT FROM excluded.name)
                THEN jsonb_build_object(
                    'name',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(excluded.name AS VARCHAR(30)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.fullname IS DISTINCT FROM excluded.fullname)
                THEN jsonb_build_object(
                    'fullname',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(excluded.fullname AS VARCHAR(100)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
        || CASE
            WHEN (account.age IS DISTINCT FROM excluded.age)
                THEN jsonb_build_object(
                    'age',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(excluded.age AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
