-- INSERT
INSERT INTO value_datetime (changes, id, v)
VALUES
    (
        jsonb_build_object(
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
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        ),
        %(id)s::INTEGER,
        %(v)s::TIMESTAMP WITHOUT TIME ZONE
    )
-- params:
--   id = 1
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)

-- UPDATE
UPDATE value_datetime
SET
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
    ),
    v=%(v)s::TIMESTAMP WITHOUT TIME ZONE
WHERE value_datetime.id = %(id_1)s::INTEGER
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   id_1 = 1
