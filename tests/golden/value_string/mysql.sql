-- INSERT
INSERT INTO value_string (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_string_changes(%(v)s))
-- params:
--   id = 1
--   v = 'Spongebob'

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_string_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_b75de4b1c2d8: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', LEFT(fs_1, 20), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_string
SET
    changes=CASE
        WHEN (NOT (CAST(value_string.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_string.changes)
                        THEN CASE JSON_TYPE(value_string.changes)
                        WHEN 'OBJECT' THEN value_string.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    LEFT(%(v)s, 20),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_string.changes END,
    v=%(v)s
WHERE value_string.id = %(id_1)s
-- params:
--   v = 'Spongebob'
--   id_1 = 1
