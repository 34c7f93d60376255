-- INSERT
INSERT INTO value_time (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_time_changes(%(v)s))
-- params:
--   id = 1
--   v = datetime.time(12, 30, 0, 500)

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_time_changes(fs_1 TIME) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_e9d7b4fecd39: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', CAST(CAST(fs_1 AS TIME) AS CHAR), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_time
SET
    changes=CASE
        WHEN (NOT (value_time.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_time.changes)
                        THEN CASE JSON_TYPE(value_time.changes)
                        WHEN 'OBJECT' THEN value_time.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS TIME) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_time.changes END,
    v=%(v)s
WHERE value_time.id = %(id_1)s
-- params:
--   v = datetime.time(12, 30, 0, 500)
--   id_1 = 1
