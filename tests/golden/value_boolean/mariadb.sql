-- INSERT
INSERT INTO value_boolean (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_boolean_changes(%(v)s))
-- params:
--   id = 1
--   v = True

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_boolean_changes(fs_1 BOOL) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_50ce78728f98: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', JSON_EXTRACT(CASE WHEN fs_1 IS NULL THEN 'null' WHEN fs_1 THEN 'true' ELSE 'false' END, '$'), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_boolean
SET
    changes=CASE
        WHEN (NOT (value_boolean.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_boolean.changes)
                        THEN CASE JSON_TYPE(value_boolean.changes)
                        WHEN 'OBJECT' THEN value_boolean.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    JSON_EXTRACT(
                        CASE
                            WHEN %(v)s IS NULL THEN 'null'
                            WHEN %(v)s THEN 'true'
                            ELSE 'false' END,
                        '$'
                    ),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_boolean.changes END,
    v=%(v)s
WHERE value_boolean.id = %(id_1)s
-- params:
--   v = True
--   id_1 = 1
