-- INSERT
INSERT INTO value_datetime_tz (id, v, changes)
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
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)

-- UPDATE
UPDATE value_datetime_tz
SET
    v=?,
    changes=CASE
        WHEN (value_datetime_tz.v IS NOT ?)
            THEN json_set(
                CASE
                    WHEN json_valid(value_datetime_tz.changes)
                        THEN CASE json_type(value_datetime_tz.changes)
                        WHEN 'object' THEN value_datetime_tz.changes
                        ELSE json('{}') END
                    ELSE json('{}') END,
                '$."v"',
                json_object(
                    'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
                )
            )
        ELSE value_datetime_tz.changes END
WHERE value_datetime_tz.id = ?
-- params:
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   v = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)
--   id_1 = 1
