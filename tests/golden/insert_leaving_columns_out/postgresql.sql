INSERT INTO
    account (name, name_changed_at, contact_changed_at, created_at, updated_at, changes)
VALUES
    (
        %(name)s::VARCHAR,
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
                to_jsonb(CAST(CAST(NULL AS VARCHAR(100)) AS TEXT)),
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
RETURNING account.id
-- params:
--   name = 'Sandy'
