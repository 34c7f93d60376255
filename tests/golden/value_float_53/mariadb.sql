-- INSERT
INSERT INTO value_float_53 (id, v, changes)
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
--   v = 0.1

-- UPDATE
UPDATE value_float_53
SET
    changes=CASE
        WHEN (NOT (value_float_53.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_float_53.changes)
                        THEN CASE JSON_TYPE(value_float_53.changes)
                        WHEN 'OBJECT' THEN value_float_53.changes
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
        ELSE value_float_53.changes END,
    v=%(v)s
WHERE value_float_53.id = %(id_1)s
-- params:
--   v = 0.1
--   id_1 = 1
