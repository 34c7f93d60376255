-- INSERT
INSERT INTO value_numeric_as_float (id, v, changes)
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
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99

-- UPDATE
UPDATE value_numeric_as_float
SET
    v=?,
    changes=CASE
        WHEN (value_numeric_as_float.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_numeric_as_float.changes)
                        THEN CASE json_type(value_numeric_as_float.changes)
                        WHEN 'object' THEN value_numeric_as_float.changes
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
        ELSE value_numeric_as_float.changes END
WHERE value_numeric_as_float.id = ?
-- params:
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   v = 19.99
--   id_1 = 1
