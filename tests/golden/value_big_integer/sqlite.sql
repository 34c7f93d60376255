-- INSERT
INSERT INTO value_big_integer (id, v, changes)
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
--   v = 9007199254740993
--   v = 9007199254740993

-- UPDATE
UPDATE value_big_integer
SET
    v=?,
    changes=CASE
        WHEN (value_big_integer.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_big_integer.changes)
                        THEN CASE json_type(value_big_integer.changes)
                        WHEN 'object' THEN value_big_integer.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_big_integer.changes END
WHERE value_big_integer.id = ?
-- params:
--   v = 9007199254740993
--   v = 9007199254740993
--   v = 9007199254740993
--   id_1 = 1
