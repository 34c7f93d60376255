-- INSERT
INSERT INTO value_large_binary (id, v, changes)
VALUES (%(id)s::INTEGER, %(v)s, fieldstamps_value_large_binary_changes())
-- params:
--   id = 1
--   v = b'\x00\xff'

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_large_binary_changes() RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps a8bdb3c07b0c
  RETURN jsonb_build_object('v', jsonb_build_object('updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_large_binary
SET
    v=%(v)s,
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
    )
WHERE value_large_binary.id = %(id_1)s::INTEGER
-- params:
--   v = b'\x00\xff'
--   id_1 = 1
