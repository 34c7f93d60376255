-- INSERT
INSERT INTO value_datetime (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::TIMESTAMP WITHOUT TIME ZONE,
        fieldstamps_value_datetime_changes(
            CAST(%(v)s::TIMESTAMP WITHOUT TIME ZONE AS TIMESTAMP WITHOUT TIME ZONE)
        )
    )
-- params:
--   id = 1
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_datetime_changes(fs_1 TIMESTAMP WITHOUT TIME ZONE) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 029e5d342c7b
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS TIMESTAMP WITHOUT TIME ZONE) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_datetime
SET
    v=%(v)s::TIMESTAMP WITHOUT TIME ZONE,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_datetime.changes) = 'object'
                    THEN value_datetime.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_datetime.v IS DISTINCT FROM %(v)s::TIMESTAMP WITHOUT TIME ZONE)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(
                            CAST(
                                CAST(
                                    %(v)s::TIMESTAMP WITHOUT TIME ZONE AS TIMESTAMP WITHOUT TIME ZONE
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
WHERE value_datetime.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   id_1 = 1
