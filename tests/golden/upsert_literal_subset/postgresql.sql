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
    age = %(param_1)s::INTEGER,
    contact_changed_at = CASE
        WHEN (account.age IS DISTINCT FROM %(param_1)s::INTEGER) THEN now()
        ELSE account.contact_changed_at END,
    updated_at = now(),
    changes = (
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.age IS DISTINCT FROM %(param_1)s::INTEGER)
                THEN jsonb_build_object(
                    'age',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(param_1)s::INTEGER AS BIGINT)),
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
--   param_1 = 4
