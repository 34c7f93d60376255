-- INSERT
INSERT INTO value_date (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::DATE,
        fieldstamps_value_date_changes(CAST(%(v)s::DATE AS DATE))
    )
-- params:
--   id = 1
--   v = datetime.date(2024, 2, 29)

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_date_changes(fs_1 DATE) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 17f4919013e2
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS DATE) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_date
SET
    v=%(v)s::DATE,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_date.changes) = 'object'
                    THEN value_date.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_date.v IS DISTINCT FROM %(v)s::DATE)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s::DATE AS DATE) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_date.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.date(2024, 2, 29)
--   id_1 = 1
