-- INSERT
INSERT INTO value_enum (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s,
        fieldstamps_value_enum_changes(CAST(%(v)s AS compile_color))
    )
-- params:
--   id = 1
--   v = <Color.RED: 'r'>

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_enum_changes(fs_1 compile_color) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 1f9653581521
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS compile_color) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_enum
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_enum.changes) = 'object'
                    THEN value_enum.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_enum.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s AS compile_color) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_enum.id = %(id_1)s::INTEGER
-- params:
--   v = <Color.RED: 'r'>
--   id_1 = 1
