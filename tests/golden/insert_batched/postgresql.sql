-- statement 1
INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id__0)s::INTEGER,
        %(name__0)s::VARCHAR,
        %(fullname__0)s::VARCHAR,
        %(age__0)s::INTEGER,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name__0)s::VARCHAR AS VARCHAR),
            CAST(%(fullname__0)s::VARCHAR AS VARCHAR),
            CAST(%(age__0)s::INTEGER AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    ),
    (
        %(id__1)s::INTEGER,
        %(name__1)s::VARCHAR,
        %(fullname__1)s::VARCHAR,
        %(age__1)s::INTEGER,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name__1)s::VARCHAR AS VARCHAR),
            CAST(%(fullname__1)s::VARCHAR AS VARCHAR),
            CAST(%(age__1)s::INTEGER AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
RETURNING account.id
-- params:
--   age__0 = 0
--   age__1 = 1
--   fullname__0 = None
--   fullname__1 = None
--   id__0 = 0
--   id__1 = 1
--   name__0 = 'name 0'
--   name__1 = 'name 1'

-- statement 2
INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        name_changed_at,
        contact_changed_at,
        created_at,
        updated_at,
        changes
    )
VALUES
    (
        %(id__0)s::INTEGER,
        %(name__0)s::VARCHAR,
        %(fullname__0)s::VARCHAR,
        %(age__0)s::INTEGER,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name__0)s::VARCHAR AS VARCHAR),
            CAST(%(fullname__0)s::VARCHAR AS VARCHAR),
            CAST(%(age__0)s::INTEGER AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
RETURNING account.id
-- params:
--   age__0 = 2
--   fullname__0 = None
--   id__0 = 2
--   name__0 = 'name 2'
