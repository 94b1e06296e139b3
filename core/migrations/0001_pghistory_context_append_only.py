"""pghistory_context (who made each change) becomes append-only.

A row may not be deleted, and an update may only add to its metadata: every recorded key
keeps its value, so the recorded actor can never be rewritten. (pghistory's trigger
function adds keys when a nested context joins a request's context, possibly in a later
transaction of the same request.)
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accord_pghistory_context_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'pghistory_context is append-only: a recorded context cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id
       OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NOT (OLD.metadata::jsonb <@ NEW.metadata::jsonb) THEN
        RAISE EXCEPTION 'pghistory_context is append-only: a recorded context can only gain keys'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accord_append_only
    BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION accord_pghistory_context_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS accord_append_only ON pghistory_context;
DROP FUNCTION IF EXISTS accord_pghistory_context_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("pghistory", "0007_auto_20250421_0444")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
