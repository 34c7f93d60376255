-- INSERT
INSERT INTO value_enum (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_enum_changes(%(v)s))
-- params:
--   id = 1
--   v = <Color.RED: 'r'>

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_enum_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_596708ad8d22: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', fs_1, 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_enum
SET
    changes=CASE
        WHEN (NOT (CAST(value_enum.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_enum.changes)
                        THEN CASE JSON_TYPE(value_enum.changes)
                        WHEN 'OBJECT' THEN value_enum.changes
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
        ELSE value_enum.changes END,
    v=%(v)s
WHERE value_enum.id = %(id_1)s
-- params:
--   v = <Color.RED: 'r'>
--   id_1 = 1
