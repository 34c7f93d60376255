-- INSERT
INSERT INTO value_enum (id, v, changes)
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
--   v = <Color.RED: 'r'>

-- UPDATE
UPDATE value_enum
SET
    changes=CASE
        WHEN (NOT (CAST(value_enum.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_enum.changes)
                        THEN CASE JSON_TYPE(value_enum.changes)
                        WHEN 'OBJECT' THEN value_enum.changes
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
        ELSE value_enum.changes END,
    v=%(v)s
WHERE value_enum.id = %(id_1)s
-- params:
--   v = <Color.RED: 'r'>
--   id_1 = 1
