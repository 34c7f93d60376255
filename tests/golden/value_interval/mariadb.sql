-- INSERT
INSERT INTO value_interval (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_interval_changes())
-- params:
--   id = 1
--   v = datetime.timedelta(days=1, seconds=5)

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_interval_changes() RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_9e4117989e64: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_interval
SET
    changes=CASE
        WHEN (NOT (value_interval.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_interval.changes)
                        THEN CASE JSON_TYPE(value_interval.changes)
                        WHEN 'OBJECT' THEN value_interval.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_interval.changes END,
    v=%(v)s
WHERE value_interval.id = %(id_1)s
-- params:
--   v = datetime.timedelta(days=1, seconds=5)
--   id_1 = 1
