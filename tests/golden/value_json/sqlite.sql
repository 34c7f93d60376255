-- INSERT
INSERT INTO value_json (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value', json(?), 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = {'tags': ['a', 'b'], 'n': 1}
--   v = {'tags': ['a', 'b'], 'n': 1}

-- UPDATE
UPDATE value_json
SET
    v=?,
    changes=CASE
        WHEN (value_json.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_json.changes)
                        THEN CASE json_type(value_json.changes)
                        WHEN 'object' THEN value_json.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value',
                    json(?),
                    'updated_at',
                    strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_json.changes END
WHERE value_json.id = ?
-- params:
--   v = {'tags': ['a', 'b'], 'n': 1}
--   v = {'tags': ['a', 'b'], 'n': 1}
--   v = {'tags': ['a', 'b'], 'n': 1}
--   id_1 = 1
