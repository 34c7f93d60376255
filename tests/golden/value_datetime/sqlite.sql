-- INSERT
INSERT INTO value_datetime (id, v, changes)
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
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)

-- UPDATE
UPDATE value_datetime
SET
    v=?,
    changes=CASE
        WHEN (value_datetime.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_datetime.changes)
                        THEN CASE json_type(value_datetime.changes)
                        WHEN 'object' THEN value_datetime.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_datetime.changes END
WHERE value_datetime.id = ?
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456)
--   id_1 = 1
