-- INSERT
INSERT INTO value_string (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::VARCHAR,
        fieldstamps_value_string_changes(CAST(%(v)s::VARCHAR AS VARCHAR))
    )
-- params:
--   id = 1
--   v = 'Spongebob'

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_string_changes(fs_1 VARCHAR) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps f1feafaf04b1
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS VARCHAR(20)) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_string
SET
    v=%(v)s::VARCHAR,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_string.changes) = 'object'
                    THEN value_string.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_string.v IS DISTINCT FROM %(v)s::VARCHAR)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s::VARCHAR AS VARCHAR(20)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_string.id = %(id_1)s::INTEGER
-- params:
--   v = 'Spongebob'
--   id_1 = 1
