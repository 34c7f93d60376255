-- INSERT
INSERT INTO value_real (id, v, changes)
VALUES
    (
        ?,
        ?,
        json_object(
            'v',
            json_object(
                'value',
                json(
                    CASE
                        WHEN ? IS NULL THEN NULL
                        WHEN ? = 9e999 THEN '"Infinity"'
                        WHEN ? = -9e999 THEN '"-Infinity"'
                        WHEN CAST(printf('%!.15g', ?) AS REAL) = ?
                            THEN printf('%!.15g', ?)
                        ELSE printf('%!.18g', ?) END
                ),
                'updated_at',
                strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        )
    )
-- params:
--   id = 1
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5

-- UPDATE
UPDATE value_real
SET
    v=?,
    changes=CASE
        WHEN (value_real.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_real.changes)
                        THEN CASE json_type(value_real.changes)
                        WHEN 'object' THEN value_real.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value',
                    json(
                        CASE
                            WHEN ? IS NULL THEN NULL
                            WHEN ? = 9e999 THEN '"Infinity"'
                            WHEN ? = -9e999 THEN '"-Infinity"'
                            WHEN CAST(printf('%!.15g', ?) AS REAL) = ?
                                THEN printf('%!.15g', ?)
                            ELSE printf('%!.18g', ?) END
                    ),
                    'updated_at',
                    strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_real.changes END
WHERE value_real.id = ?
-- params:
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   v = 0.5
--   id_1 = 1
