INSERT INTO
    account (
        id,
        name,
        fullname,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id_m0)s::INTEGER,
        %(name_m0)s::VARCHAR,
        %(fullname_m0)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name_m0)s::VARCHAR AS VARCHAR),
            CAST(%(fullname_m0)s::VARCHAR AS VARCHAR),
            CAST(NULL AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    ),
    (
        %(id_m1)s::INTEGER,
        %(name_m1)s::VARCHAR,
        %(fullname_m1)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name_m1)s::VARCHAR AS VARCHAR),
            CAST(%(fullname_m1)s::VARCHAR AS VARCHAR),
            CAST(NULL AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
-- params:
--   id_m0 = 1
--   name_m0 = 'Spongebob'
--   fullname_m0 = 'Spongebob Squarepants'
--   id_m1 = 2
--   name_m1 = 'Patrick'
--   fullname_m1 = None
