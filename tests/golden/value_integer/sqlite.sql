-- INSERT
INSERT INTO value_integer (id, v, changes)
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
--   v = 42
--   v = 42

-- UPDATE
UPDATE value_integer
SET
    v=?,
    changes=CASE
        WHEN (value_integer.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_integer.changes)
                        THEN CASE json_type(value_integer.changes)
                        WHEN 'object' THEN value_integer.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_integer.changes END
WHERE value_integer.id = ?
-- params:
--   v = 42
--   v = 42
--   v = 42
--   id_1 = 1
