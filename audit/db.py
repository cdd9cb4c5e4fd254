"""The PostgreSQL side of "append-only": a trigger on the audit table and the retention it trusts.

The trigger refuses every UPDATE, and every DELETE except one that (a) runs in a transaction that
said `SET LOCAL audit.allow_purge = 'on'` and (b) only touches rows older than
audit_retention_days(). That function is owned by whoever runs migrations and is rewritten from
AUDIT_RETENTION_DAYS after every `migrate`, so a session cannot shorten the retention by itself.
See docs/audit.md for the roles that make this hold against the application's own login.
"""

TABLE = "audit_auditlog"

CREATE_TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('audit.allow_purge', true) = 'on'
     AND OLD."timestamp" < now() - make_interval(days => audit_retention_days())
  THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % of audit row % refused', TG_OP, OLD.id
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'rows older than the retention leave only through manage.py purge_audit_log';
END
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON {TABLE};
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""

DROP_TRIGGER_SQL = f"""
DROP TRIGGER IF EXISTS audit_log_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_log_append_only();
DROP FUNCTION IF EXISTS audit_retention_days();
"""


def retention_function_sql(days: int) -> str:
    # int() keeps this a literal number whatever the setting holds; STABLE, not IMMUTABLE, so a
    # replaced function is picked up by sessions that already cached the trigger's plan.
    return (
        "CREATE OR REPLACE FUNCTION audit_retention_days() RETURNS integer "
        f"LANGUAGE sql STABLE AS $$ SELECT {int(days)} $$;"
    )


def install_retention(connection, days: int) -> None:
    """(Re)write audit_retention_days() on PostgreSQL; a no-op elsewhere."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(retention_function_sql(days))


def database_retention_days(connection) -> int | None:
    """The retention the trigger enforces, or None where there is no trigger (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_retention_days()")
        return cursor.fetchone()[0]
