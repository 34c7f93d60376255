-- INSERT
INSERT INTO value_text (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_text_changes(%(v)s))
-- params:
--   id = 1
--   v = 'Who lives in a pineapple under the sea?'

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_text_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_596708ad8d22: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', fs_1, 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_text
SET
    changes=CASE
        WHEN (NOT (CAST(value_text.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_text.changes)
                        THEN CASE JSON_TYPE(value_text.changes)
                        WHEN 'OBJECT' THEN value_text.changes
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
        ELSE value_text.changes END,
    v=%(v)s
WHERE value_text.id = %(id_1)s
-- params:
--   v = 'Who lives in a pineapple under the sea?'
--   id_1 = 1
