-- INSERT
INSERT INTO value_float_type_decorator (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_float_type_decorator_changes(%(v)s))
-- params:
--   id = 1
--   v = 0.1

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_float_type_decorator_changes(fs_1 FLOAT) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_d8c664df1cb2: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', JSON_EXTRACT(fs_1, '$'), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_float_type_decorator
SET
    changes=CASE
        WHEN (NOT (value_float_type_decorator.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_float_type_decorator.changes)
                        THEN CASE JSON_TYPE(value_float_type_decorator.changes)
                        WHEN 'OBJECT' THEN value_float_type_decorator.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(%(v)s AS FLOAT),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_float_type_decorator.changes END,
    v=%(v)s
WHERE value_float_type_decorator.id = %(id_1)s
-- params:
--   v = 0.1
--   id_1 = 1
