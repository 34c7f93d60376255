-- INSERT
INSERT INTO value_numeric_as_float (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s,
        jsonb_build_object(
            'v',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(%(v)s AS DOUBLE PRECISION)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   v = 19.99

-- UPDATE
UPDATE value_numeric_as_float
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_numeric_as_float.changes) = 'object'
                    THEN value_numeric_as_float.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_numeric_as_float.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(v)s AS DOUBLE PRECISION)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_numeric_as_float.id = %(id_1)s::INTEGER
-- params:
--   v = 19.99
--   id_1 = 1
