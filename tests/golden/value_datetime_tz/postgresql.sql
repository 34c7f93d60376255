-- INSERT
INSERT INTO value_datetime_tz (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::TIMESTAMP WITH TIME ZONE,
        fieldstamps_value_datetime_tz_changes(
            CAST(%(v)s::TIMESTAMP WITH TIME ZONE AS TIMESTAMP WITH TIME ZONE)
        )
    )
-- params:
--   id = 1
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_datetime_tz_changes(fs_1 TIMESTAMP WITH TIME ZONE) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps ee68f4b64474
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS TIMESTAMP WITH TIME ZONE) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_datetime_tz
SET
    v=%(v)s::TIMESTAMP WITH TIME ZONE,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_datetime_tz.changes) = 'object'
                    THEN value_datetime_tz.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_datetime_tz.v IS DISTINCT FROM %(v)s::TIMESTAMP WITH TIME ZONE)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(
                            CAST(
                                CAST(
                                    %(v)s::TIMESTAMP WITH TIME ZONE AS TIMESTAMP WITH TIME ZONE
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
WHERE value_datetime_tz.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   id_1 = 1
