INSERT INTO
    account (name, name_changed_at, contact_changed_at, created_at, updated_at, changes)
VALUES
    (
        %(name)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name)s::VARCHAR AS VARCHAR),
            CAST(NULL AS VARCHAR),
            CAST(NULL AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
RETURNING account.id
-- params:
--   name = 'Sandy'
