-- INSERT
INSERT INTO value_time (id, v, changes)
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
--   v = datetime.time(12, 30, 0, 500)
--   v = datetime.time(12, 30, 0, 500)

-- UPDATE
UPDATE value_time
SET
    v=?,
    changes=CASE
        WHEN (value_time.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_time.changes)
                        THEN CASE json_type(value_time.changes)
                        WHEN 'object' THEN value_time.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_time.changes END
WHERE value_time.id = ?
-- params:
--   v = datetime.time(12, 30, 0, 500)
--   v = datetime.time(12, 30, 0, 500)
--   v = datetime.time(12, 30, 0, 500)
--   id_1 = 1
