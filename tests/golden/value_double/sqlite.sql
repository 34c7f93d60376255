-- INSERT
INSERT INTO value_double (id, v, changes)
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
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004

-- UPDATE
UPDATE value_double
SET
    v=?,
    changes=CASE
        WHEN (value_double.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_double.changes)
                        THEN CASE json_type(value_double.changes)
                        WHEN 'object' THEN value_double.changes
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
        ELSE value_double.changes END
WHERE value_double.id = ?
-- params:
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   v = 0.30000000000000004
--   id_1 = 1
