-- INSERT
INSERT INTO value_integer (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_integer_changes(%(v)s))
-- params:
--   id = 1
--   v = 42

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_integer_changes(fs_1 INTEGER) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_8d1ea464995d: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', (fs_1 + 0), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_integer
SET
    changes=CASE
        WHEN (NOT (value_integer.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_integer.changes)
                        THEN CASE JSON_TYPE(value_integer.changes)
                        WHEN 'OBJECT' THEN value_integer.changes
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
        ELSE value_integer.changes END,
    v=%(v)s
WHERE value_integer.id = %(id_1)s
-- params:
--   v = 42
--   id_1 = 1
