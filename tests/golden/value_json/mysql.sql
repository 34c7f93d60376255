-- INSERT
INSERT INTO value_json (id, v, changes)
VALUES
    (
        %(id)s,
        %(v)s,
        JSON_SET(
            JSON_OBJECT(),
            '$."v"',
            JSON_OBJECT(
                'value',
                JSON_EXTRACT(%(v)s, '$'),
                'updated_at',
                DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
            )
        )
    )
-- params:
--   id = 1
--   v = {'tags': ['a', 'b'], 'n': 1}

-- UPDATE
UPDATE value_json
SET
    changes=CASE
        WHEN (NOT (CAST(value_json.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_json.changes)
                        THEN CASE JSON_TYPE(value_json.changes)
                        WHEN 'OBJECT' THEN value_json.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    JSON_EXTRACT(%(v)s, '$'),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_json.changes END,
    v=%(v)s
WHERE value_json.id = %(id_1)s
-- params:
--   v = {'tags': ['a', 'b'], 'n': 1}
--   id_1 = 1
