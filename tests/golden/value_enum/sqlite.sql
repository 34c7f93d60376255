-- INSERT
INSERT INTO value_enum (id, v, changes)
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
--   v = <Color.RED: 'r'>
--   v = <Color.RED: 'r'>

-- UPDATE
UPDATE value_enum
SET
    v=?,
    changes=CASE
        WHEN (value_enum.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_enum.changes)
                        THEN CASE json_type(value_enum.changes)
                        WHEN 'object' THEN value_enum.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_enum.changes END
WHERE value_enum.id = ?
-- params:
--   v = <Color.RED: 'r'>
--   v = <Color.RED: 'r'>
--   v = <Color.RED: 'r'>
--   id_1 = 1
