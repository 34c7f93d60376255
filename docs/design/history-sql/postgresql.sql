CREATE TABLE user_account_history (
  history_id bigint GENERATED ALWAYS AS IDENTITY,
  id integer NOT NULL,
  field text NOT NULL,
  old jsonb,
  new jsonb,
  changed_at timestamptz NOT NULL,
  operation text NOT NULL,
  transaction_id bigint NOT NULL,
  actor text,
  reason text,
  context jsonb,
  PRIMARY KEY (id, field, changed_at, history_id)
);

CREATE INDEX ix_user_account_history_field_changed_at ON user_account_history (field, changed_at);

CREATE FUNCTION user_account_history_fn() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $h$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.name IS DISTINCT FROM NEW.name THEN
      INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', COALESCE(to_jsonb(CAST(OLD.name AS TEXT)), 'null'), COALESCE(to_jsonb(CAST(NEW.name AS TEXT)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
    END IF;
    IF OLD.email IS DISTINCT FROM NEW.email THEN
      INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'email', COALESCE(to_jsonb(CAST(OLD.email AS TEXT)), 'null'), COALESCE(to_jsonb(CAST(NEW.email AS TEXT)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
    END IF;
    IF OLD.city IS DISTINCT FROM NEW.city THEN
      INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'city', COALESCE(to_jsonb(CAST(OLD.city AS TEXT)), 'null'), COALESCE(to_jsonb(CAST(NEW.city AS TEXT)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
    END IF;
    IF OLD.age IS DISTINCT FROM NEW.age THEN
      INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'age', COALESCE(to_jsonb(CAST(OLD.age AS BIGINT)), 'null'), COALESCE(to_jsonb(CAST(NEW.age AS BIGINT)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
    END IF;
    IF OLD.balance IS DISTINCT FROM NEW.balance THEN
      INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'balance', COALESCE(to_jsonb(CAST(CAST(OLD.balance AS NUMERIC(12, 2)) AS TEXT)), 'null'), COALESCE(to_jsonb(CAST(CAST(NEW.balance AS NUMERIC(12, 2)) AS TEXT)), 'null'), NEW.updated_at, 'update', 0, NULL, NULL, NULL);
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (NEW.id, 'name', NULL, COALESCE(to_jsonb(CAST(NEW.name AS TEXT)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'email', NULL, COALESCE(to_jsonb(CAST(NEW.email AS TEXT)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'city', NULL, COALESCE(to_jsonb(CAST(NEW.city AS TEXT)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'age', NULL, COALESCE(to_jsonb(CAST(NEW.age AS BIGINT)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL), (NEW.id, 'balance', NULL, COALESCE(to_jsonb(CAST(CAST(NEW.balance AS NUMERIC(12, 2)) AS TEXT)), 'null'), NEW.updated_at, 'insert', 0, NULL, NULL, NULL);
  ELSE
    INSERT INTO user_account_history (id, field, old, new, changed_at, operation, transaction_id, actor, reason, context) VALUES (OLD.id, 'name', COALESCE(to_jsonb(CAST(OLD.name AS TEXT)), 'null'), NULL, now(), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'email', COALESCE(to_jsonb(CAST(OLD.email AS TEXT)), 'null'), NULL, now(), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'city', COALESCE(to_jsonb(CAST(OLD.city AS TEXT)), 'null'), NULL, now(), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'age', COALESCE(to_jsonb(CAST(OLD.age AS BIGINT)), 'null'), NULL, now(), 'delete', 0, NULL, NULL, NULL), (OLD.id, 'balance', COALESCE(to_jsonb(CAST(CAST(OLD.balance AS NUMERIC(12, 2)) AS TEXT)), 'null'), NULL, now(), 'delete', 0, NULL, NULL, NULL);
  END IF;
  RETURN NULL;
END
$h$;

CREATE TRIGGER user_account_history_row AFTER INSERT OR UPDATE OR DELETE ON user_account FOR EACH ROW EXECUTE FUNCTION user_account_history_fn();
