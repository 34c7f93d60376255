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
        %(id__0)s,
        %(name__0)s,
        %(fullname__0)s,
        %(age__0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name__0)s, %(fullname__0)s, %(age__0)s, 'new')
    ),
    (
        %(id__1)s,
        %(name__1)s,
        %(fullname__1)s,
        %(age__1)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name__1)s, %(fullname__1)s, %(age__1)s, 'new')
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
        %(id__0)s,
        %(name__0)s,
        %(fullname__0)s,
        %(age__0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name__0)s, %(fullname__0)s, %(age__0)s, 'new')
    )
RETURNING account.id
-- params:
--   age__0 = 2
--   fullname__0 = None
--   id__0 = 2
--   name__0 = 'name 2'
