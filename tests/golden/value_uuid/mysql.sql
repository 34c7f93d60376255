-- INSERT
INSERT INTO value_uuid (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_uuid_changes(%(v)s))
-- params:
--   id = 1
--   v = UUID('12345678-1234-5678-1234-567812345678')

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_uuid_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_596708ad8d22: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', fs_1, 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_uuid
SET
    changes=CASE
        WHEN (NOT (value_uuid.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_uuid.changes)
                        THEN CASE JSON_TYPE(value_uuid.changes)
                        WHEN 'OBJECT' THEN value_uuid.changes
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
        ELSE value_uuid.changes END,
    v=%(v)s
WHERE value_uuid.id = %(id_1)s
-- params:
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   id_1 = 1
