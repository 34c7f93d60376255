INSERT INTO
    account (name, name_changed_at, contact_changed_at, created_at, updated_at, changes)
VALUES
    (
        %(name)s,
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6),
        fieldstamps_account_changes(%(name)s, NULL, NULL, 'new')
    )
-- params:
--   name = 'Sandy'
