-- statement 1
INSERT INTO
    account (
        id,
        name,
        fullname,
        age,
        notes,
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
        %(notes)s::VARCHAR,
        now(),
        now(),
        now(),
        now(),
        fieldstamps_account_changes(
            CAST(%(name)s::VARCHAR AS VARCHAR),
            CAST(%(fullname)s::VARCHAR AS VARCHAR),
            CAST(%(age)s::INTEGER AS BIGINT),
            CAST('new' AS VARCHAR)
        )
    )
-- params:
--   age = None
--   fullname = 'S. Squarepants'
--   id = 1
--   name = 'Spongebob'
--   notes = None

-- statement 2
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (%(id_1_1)s::INTEGER)
-- params:
--   id_1_1 = 1

-- statement 3
UPDATE account
SET
    name=%(name)s::VARCHAR,
    name_changed_at=CASE
        WHEN (account.name IS DISTINCT FROM %(name)s::VARCHAR) THEN now()
        ELSE account.name_changed_at END,
    updated_at=now(),
    changes=(
        COALESCE(
            CASE WHEN jsonb_typeof(account.changes) = 'object' THEN account.changes END,
            CAST('{}' AS JSONB)
        )
        || CASE
            WHEN (account.name IS DISTINCT FROM %(name)s::VARCHAR)
                THEN jsonb_build_object(
                    'name',
                    jsonb_build_object(
                        'value',
                        to_jsonb(CAST(CAST(%(name)s::VARCHAR AS VARCHAR(30)) AS TEXT)),
                        'updated_at',
                        to_char(
                            now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                        )
                    )
                )
            ELSE CAST('{}' AS JSONB) END
    )
WHERE account.id = %(account_id)s::INTEGER
-- params:
--   account_id = 2
--   name = 'Patrick Star'

-- statement 4
SELECT
    account.id,
    account.changes,
    account.name_changed_at,
    account.contact_changed_at,
    account.updated_at,
    account.name_updated_at,
    account.created_at
FROM account
WHERE account.id IN (%(id_1_1)s::INTEGER)
-- params:
--   id_1_1 = 2
