-- INSERT
INSERT INTO value_json (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_json_changes(%(v)s))
-- params:
--   id = 1
--   v = {'tags': ['a', 'b'], 'n': 1}

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_json_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_d8c664df1cb2: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', JSON_EXTRACT(fs_1, '$'), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_json
SET
    changes=CASE
        WHEN (NOT (CAST(value_json.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_json.changes)
                        THEN CASE JSON_TYPE(value_json.changes)
                        WHEN 'OBJECT' THEN value_json.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    JSON_EXTRACT(%(v)s, '$'),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_json.changes END,
    v=%(v)s
WHERE value_json.id = %(id_1)s
-- params:
--   v = {'tags': ['a', 'b'], 'n': 1}
--   id_1 = 1
