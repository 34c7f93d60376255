-- INSERT
INSERT INTO value_float_53 (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_float_53_changes(%(v)s))
-- params:
--   id = 1
--   v = 0.1

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_float_53_changes(fs_1 FLOAT(53)) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_8d1ea464995d: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', (fs_1 + 0), 'updated_at', fs_stamp));
END

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
