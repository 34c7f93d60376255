-- INSERT
INSERT INTO value_uuid (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::UUID,
        fieldstamps_value_uuid_changes(CAST(%(v)s::UUID AS UUID))
    )
-- params:
--   id = 1
--   v = UUID('12345678-1234-5678-1234-567812345678')

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_uuid_changes(fs_1 UUID) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps dceb9a4c11d3
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS UUID) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_uuid
SET
    v=%(v)s::UUID,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_uuid.changes) = 'object'
                    THEN value_uuid.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_uuid.v IS DISTINCT FROM %(v)s::UUID)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s::UUID AS UUID) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_uuid.id = %(id_1)s::INTEGER
-- params:
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   id_1 = 1
