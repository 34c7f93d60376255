-- INSERT
INSERT INTO value_datetime (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_datetime_changes(%(v)s))
-- params:
--   id = 1
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_datetime_changes(fs_1 DATETIME) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_d5c1c70c9f77: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', CAST(CAST(fs_1 AS DATETIME) AS CHAR), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_datetime
SET
    changes=CASE
        WHEN (NOT (value_datetime.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_datetime.changes)
                        THEN CASE JSON_TYPE(value_datetime.changes)
                        WHEN 'OBJECT' THEN value_datetime.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS DATETIME) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_datetime.changes END,
    v=%(v)s
WHERE value_datetime.id = %(id_1)s
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   id_1 = 1
