-- INSERT
INSERT INTO value_integer (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::INTEGER,
        jsonb_build_object(
            'v',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(%(v)s::INTEGER AS BIGINT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   v = 42

-- UPDATE
UPDATE value_integer
SET
    v=%(v)s::INTEGER,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_integer.changes) = 'object'
                    THEN value_integer.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_integer.v IS DISTINCT FROM %(v)s::INTEGER)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(v)s::INTEGER AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_integer.id = %(id_1)s::INTEGER
-- params:
--   v = 42
--   id_1 = 1
