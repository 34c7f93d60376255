-- INSERT
INSERT INTO value_date (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::DATE,
        jsonb_build_object(
            'v',
            jsonb_build_object(
                'value',
                to_jsonb(CAST(CAST(%(v)s::DATE AS DATE) AS TEXT)),
                'updated_at',
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   v = datetime.date(2024, 2, 29)

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
