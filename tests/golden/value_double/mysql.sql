-- INSERT
INSERT INTO value_double (id, v, changes)
VALUES
    (
        %(id)s,
        %(v)s,
        JSON_SET(
            JSON_OBJECT(),
            '$."v"',
            JSON_OBJECT(
                'value',
                %(v)s,
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   v = 0.30000000000000004

-- UPDATE
UPDATE value_double
SET
    changes=CASE
        WHEN (NOT (value_double.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_double.changes)
                        THEN CASE JSON_TYPE(value_double.changes)
                        WHEN 'OBJECT' THEN value_double.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    %(v)s,
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_double.changes END,
    v=%(v)s
WHERE value_double.id = %(id_1)s
-- params:
--   v = 0.30000000000000004
--   id_1 = 1
