-- INSERT
INSERT INTO value_interval (id, v, changes)
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
--   v = datetime.timedelta(days=1, seconds=5)

-- UPDATE
UPDATE value_interval
SET
    v=?,
    changes=CASE
        WHEN (value_interval.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_interval.changes)
                        THEN CASE json_type(value_interval.changes)
                        WHEN 'object' THEN value_interval.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object('updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
            )
        ELSE value_interval.changes END
WHERE value_interval.id = ?
-- params:
--   v = datetime.timedelta(days=1, seconds=5)
--   v = datetime.timedelta(days=1, seconds=5)
--   id_1 = 1
