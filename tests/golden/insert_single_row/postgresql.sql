INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        status,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id)s::INTEGER,
        %(name)s::VARCHAR,
        %(fullname)s::VARCHAR,
        %(age)s::INTEGER,
        %(status)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name)s::VARCHAR AS VARCHAR),
            CAST(%(fullname)s::VARCHAR AS VARCHAR),
            CAST(%(age)s::INTEGER AS BIGINT),
            CAST(%(status)s::VARCHAR AS VARCHAR)
        )
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
