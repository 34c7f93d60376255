INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        status,
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
        %(status)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        jsonb_build_object(
            'name',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(name)s::VARCHAR AS VARCHAR(30)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'fullname',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(fullname)s::VARCHAR AS VARCHAR(100)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'age',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(%(age)s::INTEGER AS BIGINT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'status',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(status)s::VARCHAR AS VARCHAR(10)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
