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
            CAST(%(name)s::VARCHAR AS VARCHAR(30)),
            CAST(NULL AS VARCHAR(100)),
            CAST(NULL AS BIGINT),
            CAST('new' AS VARCHAR(10))
        )
    )
RETURNING account.id
-- params:
--   name = 'Sandy'
