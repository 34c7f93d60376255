-- INSERT
INSERT INTO value_float_type_decorator (id, v, changes)
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
--   v = 0.1

-- UPDATE
UPDATE value_float_type_decorator
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_float_type_decorator.changes) = 'object'
                    THEN value_float_type_decorator.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_float_type_decorator.v IS DISTINCT FROM %(v)s)
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
WHERE value_float_type_decorator.id = %(id_1)s::INTEGER
-- params:
--   v = 0.1
--   id_1 = 1
