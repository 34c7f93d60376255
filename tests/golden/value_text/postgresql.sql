-- INSERT
INSERT INTO value_text (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::VARCHAR,
        fieldstamps_value_text_changes(CAST(%(v)s::VARCHAR AS TEXT))
    )
-- params:
--   id = 1
--   v = 'Who lives in a pineapple under the sea?'

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_text_changes(fs_1 TEXT) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 074976dbce8b
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS TEXT) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_text
SET
    v=%(v)s::VARCHAR,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_text.changes) = 'object'
                    THEN value_text.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_text.v IS DISTINCT FROM %(v)s::VARCHAR)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s::VARCHAR AS TEXT) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_text.id = %(id_1)s::INTEGER
-- params:
--   v = 'Who lives in a pineapple under the sea?'
--   id_1 = 1
