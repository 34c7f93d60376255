-- INSERT
INSERT INTO value_date (id, v, changes)
VALUES
    (
        %(id)s,
        %(v)s,
        JSON_SET(
            JSON_OBJECT(),
            '$."v"',
            JSON_OBJECT(
                'value',
                CAST(CAST(%(v)s AS DATE) AS CHAR),
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   v = datetime.date(2024, 2, 29)

-- UPDATE
UPDATE value_date
SET
    changes=CASE
        WHEN (NOT (value_date.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_date.changes)
                        THEN CASE JSON_TYPE(value_date.changes)
                        WHEN 'OBJECT' THEN value_date.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS DATE) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_date.changes END,
    v=%(v)s
WHERE value_date.id = %(id_1)s
-- params:
--   v = datetime.date(2024, 2, 29)
--   id_1 = 1
