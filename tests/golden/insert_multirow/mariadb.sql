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
        %(id_m0)s,
        %(name_m0)s,
        %(fullname_m0)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name_m0)s, %(fullname_m0)s, NULL, 'new')
    ),
    (
        %(id_m1)s,
        %(name_m1)s,
        %(fullname_m1)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name_m1)s, %(fullname_m1)s, NULL, 'new')
    )
-- params:
--   id_m0 = 1
--   name_m0 = 'Spongebob'
--   fullname_m0 = 'Spongebob Squarepants'
--   id_m1 = 2
--   name_m1 = 'Patrick'
--   fullname_m1 = None
