CREATE TABLE user_account_history (
  history_id BIGINT NOT NULL AUTO_INCREMENT,
  id INTEGER NOT NULL,
  field VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  old LONGTEXT NULL,
  new LONGTEXT NULL,
  changed_at DATETIME(6) NOT NULL,
  operation VARCHAR(6) CHARACTER SET ascii NOT NULL,
  transaction_id BIGINT NOT NULL,
  actor VARCHAR(255) NULL,
  reason TEXT NULL,
  context LONGTEXT NULL,
  PRIMARY KEY (history_id),
  KEY ix_row_field (id, field, changed_at),
  KEY ix_field_changed_at (field, changed_at)
) ENGINE=InnoDB;

CREATE TRIGGER user_account_history_ins AFTER INSERT ON user_account FOR EACH ROW
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', NULL, COALESCE(JSON_QUOTE(NEW.name), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'email', NULL, COALESCE(JSON_QUOTE(NEW.email), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'city', NULL, COALESCE(JSON_QUOTE(NEW.city), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'age', NULL, COALESCE(CAST(NEW.age AS CHAR), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'balance', NULL, COALESCE(JSON_QUOTE(CAST(CAST(NEW.balance AS DECIMAL(12, 2)) AS CHAR)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL);

CREATE TRIGGER user_account_history_del AFTER DELETE ON user_account FOR EACH ROW
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (OLD.id, 'name', COALESCE(JSON_QUOTE(OLD.name), 'null'), NULL, UTC_TIMESTAMP(6), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'email', COALESCE(JSON_QUOTE(OLD.email), 'null'), NULL, UTC_TIMESTAMP(6), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'city', COALESCE(JSON_QUOTE(OLD.city), 'null'), NULL, UTC_TIMESTAMP(6), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'age', COALESCE(CAST(OLD.age AS CHAR), 'null'), NULL, UTC_TIMESTAMP(6), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'balance', COALESCE(JSON_QUOTE(CAST(CAST(OLD.balance AS DECIMAL(12, 2)) AS CHAR)), 'null'), NULL, UTC_TIMESTAMP(6), 'delete', 0, NULL, NULL, NULL);

CREATE TRIGGER user_account_history_upd AFTER UPDATE ON user_account FOR EACH ROW
BEGIN
  IF NOT (CAST(OLD.name AS BINARY) <=> CAST(NEW.name AS BINARY)) THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', COALESCE(JSON_QUOTE(OLD.name), 'null'), COALESCE(JSON_QUOTE(NEW.name), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
  END IF;
  IF NOT (CAST(OLD.email AS BINARY) <=> CAST(NEW.email AS BINARY)) THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'email', COALESCE(JSON_QUOTE(OLD.email), 'null'), COALESCE(JSON_QUOTE(NEW.email), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
  END IF;
  IF NOT (CAST(OLD.city AS BINARY) <=> CAST(NEW.city AS BINARY)) THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'city', COALESCE(JSON_QUOTE(OLD.city), 'null'), COALESCE(JSON_QUOTE(NEW.city), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
  END IF;
  IF NOT (OLD.age <=> NEW.age) THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'age', COALESCE(CAST(OLD.age AS CHAR), 'null'), COALESCE(CAST(NEW.age AS CHAR), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
  END IF;
  IF NOT (OLD.balance <=> NEW.balance) THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'balance', COALESCE(JSON_QUOTE(CAST(CAST(OLD.balance AS DECIMAL(12, 2)) AS CHAR)), 'null'), COALESCE(JSON_QUOTE(CAST(CAST(NEW.balance AS DECIMAL(12, 2)) AS CHAR)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
  END IF;
END;
