-- INSERT
INSERT INTO value_datetime_tz (id, v, changes)
VALUES
    (
        %(id)s,
        %(v)s,
        JSON_SET(
            JSON_OBJECT(),
            '$."v"',
            JSON_OBJECT(
                'value',
                CAST(CAST(%(v)s AS DATETIME) AS CHAR),
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)

-- UPDATE
UPDATE value_datetime_tz
SET
    changes=CASE
        WHEN (NOT (value_datetime_tz.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_datetime_tz.changes)
                        THEN CASE JSON_TYPE(value_datetime_tz.changes)
                        WHEN 'OBJECT' THEN value_datetime_tz.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS DATETIME) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_datetime_tz.changes END,
    v=%(v)s
WHERE value_datetime_tz.id = %(id_1)s
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   id_1 = 1
