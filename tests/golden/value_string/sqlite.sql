-- INSERT
INSERT INTO value_string (id, v, changes)
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
--   v = 'Spongebob'
--   v = 'Spongebob'

-- UPDATE
UPDATE value_string
SET
    v=?,
    changes=CASE
        WHEN (value_string.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_string.changes)
                        THEN CASE json_type(value_string.changes)
                        WHEN 'object' THEN value_string.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_string.changes END
WHERE value_string.id = ?
-- params:
--   v = 'Spongebob'
--   v = 'Spongebob'
--   v = 'Spongebob'
--   id_1 = 1
