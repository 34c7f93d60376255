-- INSERT
INSERT INTO value_interval (id, v, changes)
VALUES (%(id)s::INTEGER, %(v)s, fieldstamps_value_interval_changes())
-- params:
--   id = 1
--   v = datetime.timedelta(days=1, seconds=5)

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_interval_changes() RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps a8bdb3c07b0c
  RETURN jsonb_build_object('v', jsonb_build_object('updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_interval
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_interval.changes) = 'object'
                    THEN value_interval.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_interval.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_interval.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.timedelta(days=1, seconds=5)
--   id_1 = 1
