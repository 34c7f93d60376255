-- INSERT
INSERT INTO value_large_binary (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_large_binary_changes())
-- params:
--   id = 1
--   v = b'\x00\xff'

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_large_binary_changes() RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_9e4117989e64: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_large_binary
SET
    changes=CASE
        WHEN (NOT (value_large_binary.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_large_binary.changes)
                        THEN CASE JSON_TYPE(value_large_binary.changes)
                        WHEN 'OBJECT' THEN value_large_binary.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_large_binary.changes END,
    v=%(v)s
WHERE value_large_binary.id = %(id_1)s
-- params:
--   v = b'\x00\xff'
--   id_1 = 1
