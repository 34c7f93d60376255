-- INSERT
INSERT INTO value_large_binary (changes, id, v)
VALUES
    (
        jsonb_build_object(
            'v',
            jsonb_build_object(
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        ),
        %(id)s::INTEGER,
        %(v)s
    )
-- params:
--   id = 1
--   v = b'\x00\xff'

-- UPDATE
UPDATE value_large_binary
SET
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_large_binary.changes) = 'object'
                    THEN value_large_binary.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_large_binary.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    ),
    v=%(v)s
WHERE value_large_binary.id = %(id_1)s::INTEGER
-- params:
--   v = b'\x00\xff'
--   id_1 = 1
