CREATE TABLE price (
    id INTEGER NOT NULL AUTO_INCREMENT,
    title VARCHAR(50) NOT NULL,
    amount NUMERIC(10, 2) NOT NULL,
    amount_changed_at DATETIME(6),
    PRIMARY KEY (id)
)

CREATE INDEX ix_price_amount_changed_at ON price (amount_changed_at)
