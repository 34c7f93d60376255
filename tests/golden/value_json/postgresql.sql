-- INSERT
INSERT INTO value_json (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::JSON,
        fieldstamps_value_json_changes(CAST(%(v)s::JSON AS JSON))
    )
-- params:
--   id = 1
--   v = {'tags': ['a', 'b'], 'n': 1}

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_json_changes(fs_1 JSON) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps b08694076607
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(fs_1 AS JSON)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_json
SET
    v=%(v)s::JSON,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_json.changes) = 'object'
                    THEN value_json.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (
                CAST(value_json.v AS JSONB) IS DISTINCT FROM CAST(%(v)s::JSON AS JSONB)
            )
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(%(v)s::JSON AS JSON)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_json.id = %(id_1)s::INTEGER
-- params:
--   v = {'tags': ['a', 'b'], 'n': 1}
--   id_1 = 1
