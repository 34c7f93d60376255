-- INSERT
INSERT INTO value_decimal_return_scale (id, v, changes)
VALUES (%(id)s, %(v)s, fieldstamps_value_decimal_return_scale_changes(%(v)s))
-- params:
--   id = 1
--   v = Decimal('2.5')

-- CHANGES FUNCTION
CREATE FUNCTION fieldstamps_value_decimal_return_scale_changes(fs_1 NUMERIC(12, 4)) RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT DETERMINISTIC NO SQL
fieldstamps_f7578be9eb76: BEGIN
  DECLARE fs_stamp VARCHAR(27) DEFAULT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');
  RETURN JSON_OBJECT('v', JSON_OBJECT('value', CAST(CAST(fs_1 AS DECIMAL(12, 4)) AS CHAR), 'updated_at', fs_stamp));
END

-- UPDATE
UPDATE value_decimal_return_scale
SET
    changes=CASE
        WHEN (NOT (value_decimal_return_scale.v <=> %(v)s))
            THEN JSON_SET(
                CASE
                    WHEN JSON_VALID(value_decimal_return_scale.changes)
                        THEN CASE JSON_TYPE(value_decimal_return_scale.changes)
                        WHEN 'OBJECT' THEN value_decimal_return_scale.changes
                        ELSE JSON_OBJECT() END
                    ELSE JSON_OBJECT() END,
                '$."v"',
                JSON_OBJECT(
                    'value',
                    CAST(CAST(%(v)s AS DECIMAL(12, 4)) AS CHAR),
                    'updated_at',
                    DATE_FORMAT(UTC_TIMESTAMP(6), '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ')
                )
            )
        ELSE value_decimal_return_scale.changes END,
    v=%(v)s
WHERE value_decimal_return_scale.id = %(id_1)s
-- params:
--   v = Decimal('2.5')
--   id_1 = 1
