CREATE TABLE account (
    id INTEGER NOT NULL AUTO_INCREMENT,
    name VARCHAR(30) NOT NULL,
    fullname VARCHAR(100),
    age INTEGER,
    status VARCHAR(10) NOT NULL DEFAULT 'new',
    notes TEXT,
    name_changed_at DATETIME(6),
    contact_changed_at DATETIME(6),
    name_updated_at VARCHAR(27) GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(changes, '$."name".updated_at'))) STORED,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    changes JSON,
    PRIMARY KEY (id)
)

CREATE INDEX ix_account_contact_changed_at ON account (contact_changed_at)

CREATE INDEX ix_account_name_updated_at ON account (name_updated_at)
