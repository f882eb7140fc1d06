"""PostgreSQL only: a batch of API ballots in one transaction, with their token checks (intake.py's writer).

`budgets_ballot_intake(ballots jsonb, channel, kind)` takes the ballots that the processes' intake writer gathered
while the previous batch was being committed. For each, in order, inside its own savepoint (a PL/pgSQL block with
an exception handler), it checks the API token as `authenticate_api_token` does (a known key of an active user;
"last used" stamped at most once a minute), then calls `budgets_ballot_cast` (migration 0003) with that user.
Each ballot gets the outcome it would get alone: "ok", or what the application then hands to Django ("token",
"stale", "refused", "python", "superseded", or "error" when its savepoint was rolled back, a deadlock say); one
ballot's failure never fails the others. The writer answers the requests only after the transaction committed
(durable: synchronous_commit stays on), so one commit and one WAL flush serve the whole batch.

Each element: k key hash, b budget, s ballot-box stamp, a voters' area, v verification required, m minimum age,
d today, p project ids, q points, c cost, t the request's time, o organisation, n component, y ballot content type.
"""

from django.db import migrations

INTAKE = r"""
CREATE OR REPLACE FUNCTION budgets_ballot_intake(p_ballots jsonb, p_channel text, p_kind text)
RETURNS TABLE (out_index integer, out_user bigint, out_ballot bigint, out_created boolean,
               out_created_at timestamptz, out_outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    e jsonb;
    v_now timestamptz;
    v_token record;
    v_cast record;
BEGIN
    FOR i IN 0 .. jsonb_array_length(p_ballots) - 1 LOOP
        e := p_ballots -> i;
        out_index := i;
        out_user := NULL; out_ballot := NULL; out_created := false; out_created_at := NULL;
        BEGIN
            v_now := (e ->> 't')::timestamptz;
            SELECT t.id, t.last_used_at, u.id AS user_id, u.is_active, u.residence_id INTO v_token
              FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
             WHERE t.key_hash = e ->> 'k';
            IF NOT FOUND OR NOT v_token.is_active THEN
                out_outcome := 'token';
            ELSE
                out_user := v_token.user_id;
                IF v_token.last_used_at IS NULL OR v_token.last_used_at < v_now - interval '1 minute' THEN
                    UPDATE accounts_apitoken SET last_used_at = v_now WHERE id = v_token.id;
                END IF;
                SELECT * INTO v_cast FROM budgets_ballot_cast(
                    (e ->> 'b')::bigint, e ->> 's', v_token.user_id, v_token.residence_id, (e ->> 'a')::bigint,
                    (e ->> 'v')::boolean, (e ->> 'm')::integer, (e ->> 'd')::date,
                    ARRAY(SELECT jsonb_array_elements_text(e -> 'p')::bigint),
                    ARRAY(SELECT jsonb_array_elements_text(e -> 'q')::integer),
                    (e ->> 'c')::bigint, p_channel, v_now, (e ->> 'o')::bigint, (e ->> 'n')::bigint,
                    (e ->> 'y')::integer, p_kind);
                out_ballot := v_cast.out_ballot;
                out_created := v_cast.out_created;
                out_created_at := v_cast.out_created_at;
                out_outcome := v_cast.out_outcome;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            -- This ballot's savepoint is rolled back (nothing of it written); the others go on.
            out_user := NULL; out_ballot := NULL; out_created := false; out_created_at := NULL;
            out_outcome := 'error';
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS budgets_ballot_intake(jsonb, text, text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INTAKE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("budgets", "0006_count_jobs_to_kernel_jobs"),
        ("accounts", "0004_roles_of_enrolled_staff_stay_active"),
    ]

    operations = [migrations.RunPython(create, drop)]
