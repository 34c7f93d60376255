-- INSERT
INSERT INTO value_boolean (id, v, changes)
VALUES
    (
        %(id)s,
        %(v)s,
        JSON_SET(
            JSON_OBJECT(),
            '$."v"',
            JSON_OBJECT(
                'value',
                JSON_EXTRACT(
                    CASE
                        WHEN %(v)s IS NULL THEN 'null'
                        WHEN %(v)s THEN 'true'
                        ELSE 'false' END,
                    '$'
                ),
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   v = True

-- UPDATE
UPDATE value_boolean
SET
    changes=CASE
        WHEN (NOT (value_boolean.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_boolean.changes)
                        THEN CASE JSON_TYPE(value_boolean.changes)
                        WHEN 'OBJECT' THEN value_boolean.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    JSON_EXTRACT(
                        CASE
                            WHEN %(v)s IS NULL THEN 'null'
                            WHEN %(v)s THEN 'true'
                            ELSE 'false' END,
                        '$'
                    ),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_boolean.changes END,
    v=%(v)s
WHERE value_boolean.id = %(id_1)s
-- params:
--   v = True
--   id_1 = 1
