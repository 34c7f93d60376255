-- INSERT
INSERT INTO value_decimal_no_scale (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value',
                CASE WHEN ? IS NULL THEN NULL ELSE printf('%.10f', ?) END,
                'updated_at',
                strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = Decimal('1.5')
--   v = Decimal('1.5')
--   v = Decimal('1.5')

-- UPDATE
UPDATE value_decimal_no_scale
SET
    v=?,
    changes=CASE
        WHEN (value_decimal_no_scale.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_decimal_no_scale.changes)
                        THEN CASE json_type(value_decimal_no_scale.changes)
                        WHEN 'object' THEN value_decimal_no_scale.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value',
                    CASE WHEN ? IS NULL THEN NULL ELSE printf('%.10f', ?) END,
                    'updated_at',
                    strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_decimal_no_scale.changes END
WHERE value_decimal_no_scale.id = ?
-- params:
--   v = Decimal('1.5')
--   v = Decimal('1.5')
--   v = Decimal('1.5')
--   v = Decimal('1.5')
--   id_1 = 1
