-- INSERT
INSERT INTO value_boolean (id, v, changes)
VALUES
    (%(id)s::INTEGER, %(v)s, fieldstamps_value_boolean_changes(CAST(%(v)s AS BOOLEAN)))
-- params:
--   id = 1
--   v = True

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_boolean_changes(fs_1 BOOLEAN) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 112e5d8adc13
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(fs_1 AS BOOLEAN)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_boolean
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_boolean.changes) = 'object'
                    THEN value_boolean.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_boolean.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(v)s AS BOOLEAN)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_boolean.id = %(id_1)s::INTEGER
-- params:
--   v = True
--   id_1 = 1
