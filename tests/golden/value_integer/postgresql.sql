-- INSERT
INSERT INTO value_integer (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::INTEGER,
        fieldstamps_value_integer_changes(CAST(%(v)s::INTEGER AS BIGINT))
    )
-- params:
--   id = 1
--   v = 42

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_integer_changes(fs_1 BIGINT) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 82685872cdb3
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(fs_1 AS BIGINT)), 'updated_at', fs_stamp));
END
$fieldstamps$

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
