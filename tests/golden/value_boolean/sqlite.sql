-- INSERT
INSERT INTO value_boolean (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value',
                json(
                    CASE WHEN ? IS NULL THEN 'null' WHEN ? THEN 'true' ELSE 'false' END
                ),
                'updated_at',
                strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = True
--   v = True
--   v = True

-- UPDATE
UPDATE value_boolean
SET
    v=?,
    changes=CASE
        WHEN (value_boolean.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_boolean.changes)
                        THEN CASE json_type(value_boolean.changes)
                        WHEN 'object' THEN value_boolean.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value',
                    json(
                        CASE
                            WHEN ? IS NULL THEN 'null'
                            WHEN ? THEN 'true'
                            ELSE 'false' END
                    ),
                    'updated_at',
                    strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_boolean.changes END
WHERE value_boolean.id = ?
-- params:
--   v = True
--   v = True
--   v = True
--   v = True
--   id_1 = 1
