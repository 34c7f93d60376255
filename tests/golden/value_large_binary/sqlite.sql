-- INSERT
INSERT INTO value_large_binary (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v', json_object('updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        )
    )
-- params:
--   id = 1
--   v = b'\x00\xff'

-- UPDATE
UPDATE value_large_binary
SET
    v=?,
    changes=CASE
        WHEN (value_large_binary.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_large_binary.changes)
                        THEN CASE json_type(value_large_binary.changes)
                        WHEN 'object' THEN value_large_binary.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object('updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
            )
        ELSE value_large_binary.changes END
WHERE value_large_binary.id = ?
-- params:
--   v = b'\x00\xff'
--   v = b'\x00\xff'
--   id_1 = 1
