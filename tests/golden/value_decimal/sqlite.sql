-- INSERT
INSERT INTO value_decimal (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value',
                CASE WHEN ? IS NULL THEN NULL ELSE printf('%.4f', ?) END,
                'updated_at',
                strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = Decimal('19.99')
--   v = Decimal('19.99')
--   v = Decimal('19.99')

-- UPDATE
UPDATE value_decimal
SET
    v=?,
    changes=CASE
        WHEN (value_decimal.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_decimal.changes)
                        THEN CASE json_type(value_decimal.changes)
                        WHEN 'object' THEN value_decimal.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value',
                    CASE WHEN ? IS NULL THEN NULL ELSE printf('%.4f', ?) END,
                    'updated_at',
                    strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_decimal.changes END
WHERE value_decimal.id = ?
-- params:
--   v = Decimal('19.99')
--   v = Decimal('19.99')
--   v = Decimal('19.99')
--   v = Decimal('19.99')
--   id_1 = 1
