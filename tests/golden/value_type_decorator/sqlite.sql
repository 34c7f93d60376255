-- INSERT
INSERT INTO value_type_decorator (id, v, changes)
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
--   v = 'label'
--   v = 'label'

-- UPDATE
UPDATE value_type_decorator
SET
    v=?,
    changes=CASE
        WHEN (value_type_decorator.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_type_decorator.changes)
                        THEN CASE json_type(value_type_decorator.changes)
                        WHEN 'object' THEN value_type_decorator.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_type_decorator.changes END
WHERE value_type_decorator.id = ?
-- params:
--   v = 'label'
--   v = 'label'
--   v = 'label'
--   id_1 = 1
