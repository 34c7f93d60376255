-- INSERT
INSERT INTO value_date (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_date_changes(%(v)s))
-- params:
--   id = 1
--   v = datetime.date(2024, 2, 29)

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_date_changes(fs_1 DATE) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_3a9b43252bb4: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', CAST(CAST(fs_1 AS DATE) AS CHAR), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_date
SET
    changes=CASE
        WHEN (NOT (value_date.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_date.changes)
                        THEN CASE JSON_TYPE(value_date.changes)
                        WHEN 'OBJECT' THEN value_date.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS DATE) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_date.changes END,
    v=%(v)s
WHERE value_date.id = %(id_1)s
-- params:
--   v = datetime.date(2024, 2, 29)
--   id_1 = 1
