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
        %(id)s,
        %(name)s,
        %(fullname)s,
        %(age)s,
        %(status)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, %(fullname)s, %(age)s, %(status)s)
    )
-- params:
--   id = 1
--   name = 'Spongebob'
--   fullname = 'Spongebob Squarepants'
--   age = 3
--   status = 'ok'
