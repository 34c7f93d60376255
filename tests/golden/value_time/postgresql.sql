-- INSERT
INSERT INTO value_time (id, v, changes)
VALUES
    (
        %(id)s::INTEGER,
        %(v)s::TIME WITHOUT TIME ZONE,
        jsonb_build_object(
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
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        )
    )
-- params:
--   id = 1
--   v = datetime.time(12, 30, 0, 500)

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
