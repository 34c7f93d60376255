-- INSERT
INSERT INTO value_big_integer (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::BIGINT,
        fieldstamps_value_big_integer_changes(CAST(%(v)s::BIGINT AS BIGINT))
    )
-- params:
--   id = 1
--   v = 9007199254740993

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_big_integer_changes(fs_1 BIGINT) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 82685872cdb3
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(fs_1 AS BIGINT)), 'updated_at', fs_stamp));
END
$fieldstamps$

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
