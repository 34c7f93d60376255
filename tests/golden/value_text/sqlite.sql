-- INSERT
INSERT INTO value_text (id, v, changes)
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
--   v = 'Who lives in a pineapple under the sea?'
--   v = 'Who lives in a pineapple under the sea?'

-- UPDATE
UPDATE value_text
SET
    v=?,
    changes=CASE
        WHEN (value_text.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_text.changes)
                        THEN CASE json_type(value_text.changes)
                        WHEN 'object' THEN value_text.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_text.changes END
WHERE value_text.id = ?
-- params:
--   v = 'Who lives in a pineapple under the sea?'
--   v = 'Who lives in a pineapple under the sea?'
--   v = 'Who lives in a pineapple under the sea?'
--   id_1 = 1
