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
        %(id)s,
        %(name)s,
        %(fullname)s,
        %(age)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, %(fullname)s, %(age)s, 'new')
    )
-- parameter set 1:
--   age = 0
--   fullname = None
--   id = 0
--   name = 'name 0'
-- parameter set 2:
--   age = 1
--   fullname = None
--   id = 1
--   name = 'name 1'
-- parameter set 3:
--   age = 2
--   fullname = None
--   id = 2
--   name = 'name 2'
