-- INSERT
INSERT INTO value_uuid (id, v, changes)
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
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   v = UUID('12345678-1234-5678-1234-567812345678')

-- UPDATE
UPDATE value_uuid
SET
    v=?,
    changes=CASE
        WHEN (value_uuid.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_uuid.changes)
                        THEN CASE json_type(value_uuid.changes)
                        WHEN 'object' THEN value_uuid.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_uuid.changes END
WHERE value_uuid.id = ?
-- params:
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   v = UUID('12345678-1234-5678-1234-567812345678')
--   id_1 = 1
