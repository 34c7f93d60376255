-- INSERT
INSERT INTO value_float_53 (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s,
        fieldstamps_value_float_53_changes(CAST(%(v)s AS DOUBLE PRECISION))
    )
-- params:
--   id = 1
--   v = 0.1

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_float_53_changes(fs_1 DOUBLE PRECISION) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 096d4e7cd163
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(fs_1 AS DOUBLE PRECISION)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_float_53
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_float_53.changes) = 'object'
                    THEN value_float_53.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_float_53.v IS DISTINCT FROM %(v)s)
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
WHERE value_float_53.id = %(id_1)s::INTEGER
-- params:
--   v = 0.1
--   id_1 = 1
