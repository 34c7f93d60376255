-- INSERT
INSERT INTO value_float (id, v, changes)
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
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1

-- UPDATE
UPDATE value_float
SET
    v=?,
    changes=CASE
        WHEN (value_float.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_float.changes)
                        THEN CASE json_type(value_float.changes)
                        WHEN 'object' THEN value_float.changes
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
        ELSE value_float.changes END
WHERE value_float.id = ?
-- params:
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   v = 0.1
--   id_1 = 1
