-- INSERT
INSERT INTO value_big_integer (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::BIGINT,
        jsonb_build_object(
            'v',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(%(v)s::BIGINT AS BIGINT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   v = 9007199254740993

-- UPDATE
UPDATE value_big_integer
SET
    v=%(v)s::BIGINT,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_big_integer.changes) = 'object'
                    THEN value_big_integer.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_big_integer.v IS DISTINCT FROM %(v)s::BIGINT)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(v)s::BIGINT AS BIGINT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_big_integer.id = %(id_1)s::INTEGER
-- params:
--   v = 9007199254740993
--   id_1 = 1
