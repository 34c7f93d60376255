-- INSERT
INSERT INTO value_date (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = datetime.date(2024, 2, 29)
--   v = datetime.date(2024, 2, 29)

-- UPDATE
UPDATE value_date
SET
    v=?,
    changes=CASE
        WHEN (value_date.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_date.changes)
                        THEN CASE json_type(value_date.changes)
                        WHEN 'object' THEN value_date.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_date.changes END
WHERE value_date.id = ?
-- params:
--   v = datetime.date(2024, 2, 29)
--   v = datetime.date(2024, 2, 29)
--   v = datetime.date(2024, 2, 29)
--   id_1 = 1
