-- INSERT
INSERT INTO value_type_decorator (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_type_decorator_changes(%(v)s))
-- params:
--   id = 1
--   v = 'label'

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_type_decorator_changes(fs_1 LONGTEXT CHARACTER SET utf8mb4) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_04ba6700f639: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', LEFT(fs_1, 40), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_type_decorator
SET
    changes=CASE
        WHEN (NOT (CAST(value_type_decorator.v AS BINARY) <=> CAST(%(v)s AS BINARY)))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_type_decorator.changes)
                        THEN CASE JSON_TYPE(value_type_decorator.changes)
                        WHEN 'OBJECT' THEN value_type_decorator.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    LEFT(%(v)s, 40),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_type_decorator.changes END,
    v=%(v)s
WHERE value_type_decorator.id = %(id_1)s
-- params:
--   v = 'label'
--   id_1 = 1
