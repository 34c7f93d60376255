CREATE TABLE account (
    id SERIAL NOT NULL,
    name VARCHAR(30) NOT NULL,
    fullname VARCHAR(100),
    age INTEGER,
    status VARCHAR(10) DEFAULT 'new' NOT NULL,
    notes TEXT,
    name_changed_at TIMESTAMP WITH TIME ZONE,
    contact_changed_at TIMESTAMP WITH TIME ZONE,
    name_updated_at VARCHAR(27) GENERATED ALWAYS AS (((changes -> 'name') ->> 'updated_at')) STORED,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    changes JSONB,
    PRIMARY KEY (id)
)

CREATE INDEX ix_account_contact_changed_at ON account (contact_changed_at)

CREATE INDEX ix_account_name_updated_at ON account (name_updated_at)
