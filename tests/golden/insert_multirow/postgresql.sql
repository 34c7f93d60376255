INSERT INTO
    account (
        id,
        name,
        fullname,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id_m0)s::INTEGER,
        %(name_m0)s::VARCHAR,
        %(fullname_m0)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        jsonb_build_object(
            'name',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(name_m0)s::VARCHAR AS VARCHAR(30)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'fullname',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(fullname_m0)s::VARCHAR AS VARCHAR(100)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'age',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(NULL AS BIGINT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'status',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST('new' AS VARCHAR(10)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    ),
    (
        %(id_m1)s::INTEGER,
        %(name_m1)s::VARCHAR,
        %(fullname_m1)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        jsonb_build_object(
            'name',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(name_m1)s::VARCHAR AS VARCHAR(30)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'fullname',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(fullname_m1)s::VARCHAR AS VARCHAR(100)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'age',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(NULL AS BIGINT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            ),
            'status',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST('new' AS VARCHAR(10)) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id_m0 = 1
--   name_m0 = 'Spongebob'
--   fullname_m0 = 'Spongebob Squarepants'
--   id_m1 = 2
--   name_m1 = 'Patrick'
--   fullname_m1 = None
