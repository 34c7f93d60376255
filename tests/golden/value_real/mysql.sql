-- INSERT
INSERT INTO value_real (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_real_changes(%(v)s))
-- params:
--   id = 1
--   v = 0.5

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_real_changes(fs_1 REAL) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_8d1ea464995d: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', (fs_1 + 0), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_real
SET
    changes=CASE
        WHEN (NOT (value_real.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_real.changes)
                        THEN CASE JSON_TYPE(value_real.changes)
                        WHEN 'OBJECT' THEN value_real.changes
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
        ELSE value_real.changes END,
    v=%(v)s
WHERE value_real.id = %(id_1)s
-- params:
--   v = 0.5
--   id_1 = 1
