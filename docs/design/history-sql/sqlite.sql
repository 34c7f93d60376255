CREATE TABLE user_account_history (
  history_id INTEGER PRIMARY KEY,
  id INTEGER NOT NULL,
  field TEXT NOT NULL,
  old TEXT,
  new TEXT,
  changed_at TEXT NOT NULL,
  operation TEXT NOT NULL,
  transaction_id INTEGER NOT NULL,
  actor TEXT,
  reason TEXT,
  context TEXT
);

CREATE INDEX ix_user_account_history_row_field ON user_account_history (id, field, changed_at);

CREATE INDEX ix_user_account_history_field_changed_at ON user_account_history (field, changed_at);

CREATE TRIGGER user_account_history_ins AFTER INSERT ON user_account FOR EACH ROW BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', NULL, json_quote(NEW.name), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'insert', 0, NULL, NULL, NULL), (NEW.id, 'email', NULL, json_quote(NEW.email), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'insert', 0, NULL, NULL, NULL), (NEW.id, 'city', NULL, json_quote(NEW.city), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'insert', 0, NULL, NULL, NULL), (NEW.id, 'age', NULL, json_quote(NEW.age), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'insert', 0, NULL, NULL, NULL), (NEW.id, 'balance', NULL, json_quote(CASE WHEN NEW.balance IS NULL THEN NULL ELSE printf('%.2f', NEW.balance) END), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'insert', 0, NULL, NULL, NULL); END;

CREATE TRIGGER user_account_history_del AFTER DELETE ON user_account FOR EACH ROW BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (OLD.id, 'name', json_quote(OLD.name), NULL, strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'email', json_quote(OLD.email), NULL, strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'city', json_quote(OLD.city), NULL, strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'age', json_quote(OLD.age), NULL, strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'balance', json_quote(CASE WHEN OLD.balance IS NULL THEN NULL ELSE printf('%.2f', OLD.balance) END), NULL, strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'delete', 0, NULL, NULL, NULL); END;

CREATE TRIGGER user_account_history_upd_name AFTER UPDATE OF name ON user_account FOR EACH ROW WHEN OLD.name IS NOT NEW.name BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', json_quote(OLD.name), json_quote(NEW.name), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'update', 0, NULL, NULL, NULL);
END;

CREATE TRIGGER user_account_history_upd_email AFTER UPDATE OF email ON user_account FOR EACH ROW WHEN OLD.email IS NOT NEW.email BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'email', json_quote(OLD.email), json_quote(NEW.email), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'update', 0, NULL, NULL, NULL);
END;

CREATE TRIGGER user_account_history_upd_city AFTER UPDATE OF city ON user_account FOR EACH ROW WHEN OLD.city IS NOT NEW.city BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'city', json_quote(OLD.city), json_quote(NEW.city), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'update', 0, NULL, NULL, NULL);
END;

CREATE TRIGGER user_account_history_upd_age AFTER UPDATE OF age ON user_account FOR EACH ROW WHEN OLD.age IS NOT NEW.age BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'age', json_quote(OLD.age), json_quote(NEW.age), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'update', 0, NULL, NULL, NULL);
END;

CREATE TRIGGER user_account_history_upd_balance AFTER UPDATE OF balance ON user_account FOR EACH ROW WHEN OLD.balance IS NOT NEW.balance BEGIN
  INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'balance', json_quote(CASE WHEN OLD.balance IS NULL THEN NULL ELSE printf('%.2f', OLD.balance) END), json_quote(CASE WHEN NEW.balance IS NULL THEN NULL ELSE printf('%.2f', NEW.balance) END), strftime('%Y-%m-%d %H:%M:%f000', 'now'), 'update', 0, NULL, NULL, NULL);
END;
