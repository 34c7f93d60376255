-- INSERT
INSERT INTO value_type_decorator (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::VARCHAR,
        fieldstamps_value_type_decorator_changes(CAST(%(v)s::VARCHAR AS VARCHAR))
    )
-- params:
--   id = 1
--   v = 'label'

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_type_decorator_changes(fs_1 VARCHAR) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 8480a38e256e
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS VARCHAR(40)) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_type_decorator
SET
    v=%(v)s::VARCHAR,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_type_decorator.changes) = 'object'
                    THEN value_type_decorator.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_type_decorator.v IS DISTINCT FROM %(v)s::VARCHAR)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s::VARCHAR AS VARCHAR(40)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_type_decorator.id = %(id_1)s::INTEGER
-- params:
--   v = 'label'
--   id_1 = 1
