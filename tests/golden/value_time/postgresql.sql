-- INSERT
INSERT INTO value_time (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::TIME WITHOUT TIME ZONE,
        fieldstamps_value_time_changes(
            CAST(%(v)s::TIME WITHOUT TIME ZONE AS TIME WITHOUT TIME ZONE)
        )
    )
-- params:
--   id = 1
--   v = datetime.time(12, 30, 0, 500)

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_time_changes(fs_1 TIME WITHOUT TIME ZONE) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 8b32bc4da84f
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS TIME WITHOUT TIME ZONE) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_time
SET
    v=%(v)s::TIME WITHOUT TIME ZONE,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_time.changes) = 'object'
                    THEN value_time.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_time.v IS DISTINCT FROM %(v)s::TIME WITHOUT TIME ZONE)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(
                            CAST(
                                CAST(
                                    %(v)s::TIME WITHOUT TIME ZONE AS TIME WITHOUT TIME ZONE
                                ) AS TEXT
                            )
                        ),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_time.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.time(12, 30, 0, 500)
--   id_1 = 1
