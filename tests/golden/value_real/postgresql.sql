-- INSERT
INSERT INTO value_real (id, v, changes)
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
--   v = 0.5

-- UPDATE
UPDATE value_real
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_real.changes) = 'object'
                    THEN value_real.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_real.v IS DISTINCT FROM %(v)s)
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
WHERE value_real.id = %(id_1)s::INTEGER
-- params:
--   v = 0.5
--   id_1 = 1
