-- INSERT
INSERT INTO value_decimal (id, v, changes)
VALUES
    (%(id)s::INTEGER, %(v)s, fieldstamps_value_decimal_changes(CAST(%(v)s AS NUMERIC)))
-- params:
--   id = 1
--   v = Decimal('19.99')

-- CHANGES FUNCTION
CREATE OR REPLACE FUNCTION fieldstamps_value_decimal_changes(fs_1 NUMERIC) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fieldstamps$
DECLARE
  fs_stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
  -- fieldstamps 1fa036a9a3ed
  RETURN jsonb_build_object('v', jsonb_build_object('value', to_jsonb(CAST(CAST(fs_1 AS NUMERIC(12, 4)) AS TEXT)), 'updated_at', fs_stamp));
END
$fieldstamps$

-- UPDATE
UPDATE value_decimal
SET
    v=%(v)s,
    changes=(
        COALESCE(
            CASE
                WHEN jsonb_typeof(value_decimal.changes) = 'object'
                    THEN value_decimal.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (value_decimal.v IS DISTINCT FROM %(v)s)
                THEN jsonb_build_object(
                    'v',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(v)s AS NUMERIC(12, 4)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE value_decimal.id = %(id_1)s::INTEGER
-- params:
--   v = Decimal('19.99')
--   id_1 = 1
