"""PostgreSQL only: a ballot in one round trip (ballots.py, "The fast path").

`budgets_ballot_box_stamp(budget)` is a fingerprint of what decides whether a ballot box is open (the budget row,
its component's settings, its space's status and steps). `budgets_ballot_cast(...)` re-checks that fingerprint,
finds the voter's verification, checks eligibility, checks the chosen projects are still on the ballot at the
cost the application checked, then inserts or replaces the ballot, its choices and its ledger row, all in one
statement (so, in autocommit, one transaction and one commit). It only ever accepts: when anything is not as
the application expected, it writes nothing and says so (outcome "stale", "refused" or "python"), and the
application runs its Python path, the reference, which gives the refusal with its message. A change older than
the ballot it would replace (outcome "superseded") changes nothing: the voter's later ballot stays.

On SQLite the migration does nothing: there the Python path is the only one.
"""

from django.db import migrations

STAMP = r"""
-- PL/pgSQL rather than SQL: its query plan is kept for the session (a SQL function is planned at each call,
-- which made the fingerprint cost half as much as the whole ballot).
CREATE OR REPLACE FUNCTION budgets_ballot_box_stamp(p_budget bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT md5(b::text || '|' || c::text || '|' || s.status || '|' || coalesce(
               (SELECT string_agg(format('%s:%s:%s', st.id, st.start_date, st.end_date), ',' ORDER BY st.id)
                  FROM spaces_step st WHERE st.space_id = s.id), ''))
      FROM budgets_budget b
      JOIN spaces_component c ON c.id = b.component_id
      JOIN spaces_space s ON s.id = c.space_id
     WHERE b.id = p_budget);
END
$$;
"""

CAST = r"""
CREATE OR REPLACE FUNCTION budgets_ballot_cast(
    p_budget bigint, p_stamp text, p_user bigint, p_residence bigint, p_area bigint,
    p_requires_verification boolean, p_minimum_age integer, p_today date,
    p_projects bigint[], p_points integer[], p_cost bigint, p_channel text, p_now timestamptz,
    p_organisation bigint, p_component bigint, p_target_type integer, p_kind text)
RETURNS TABLE (out_ballot bigint, out_created boolean, out_created_at timestamptz, out_key text,
               out_commune bigint, out_outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    v_verification record;
    v_key text;
    v_commune bigint;
    v_found integer;
    v_cost bigint;
    v_ballot record;
BEGIN
    out_created := false;
    -- The ballot box the application checked against is still the one in the database.
    IF budgets_ballot_box_stamp(p_budget) IS DISTINCT FROM p_stamp THEN
        out_outcome := 'stale'; RETURN NEXT; RETURN;
    END IF;
    -- Who votes: the same verification as ballots._verification (a commune's voters only).
    SELECT ver.organisation_id, ver.identity_hash, ver.birth_date INTO v_verification
      FROM accounts_verification ver
     WHERE ver.user_id = p_user AND ver.organisation_id = p_area AND ver.revoked_at IS NULL
     ORDER BY ver.created_at DESC LIMIT 1;
    IF NOT FOUND THEN
        IF p_requires_verification OR p_minimum_age > 0 THEN
            out_outcome := 'refused'; RETURN NEXT; RETURN;
        END IF;
        v_key := 'user:' || p_user;
        v_commune := p_residence;
    ELSE
        IF p_minimum_age > 0 AND (v_verification.birth_date IS NULL OR
               v_verification.birth_date > (p_today - make_interval(years => p_minimum_age))::date) THEN
            out_outcome := 'refused'; RETURN NEXT; RETURN;
        END IF;
        v_key := CASE WHEN v_verification.identity_hash <> '' THEN v_verification.identity_hash
                      ELSE 'user:' || p_user END;
        v_commune := v_verification.organisation_id;
    END IF;
    -- The projects are still on the ballot, at the cost the application added up.
    SELECT count(*), coalesce(sum(pr.final_cost), 0) INTO v_found, v_cost
      FROM budgets_project pr
     WHERE pr.id = ANY(p_projects) AND pr.budget_id = p_budget AND pr.on_ballot
       AND pr.final_cost IS NOT NULL AND pr.withdrawn_at IS NULL;
    IF v_found <> cardinality(p_projects) OR v_cost <> p_cost THEN
        out_outcome := 'stale'; RETURN NEXT; RETURN;
    END IF;
    -- One ballot per person: lock theirs (under their identity, or the account key of a first ballot cast
    -- before they were verified), or insert it; a racing insert of the same key waits, then does nothing.
    SELECT b.id, b.voter_id, b.voter_key, b.created_at, b.updated_at INTO v_ballot
      FROM budgets_ballot b
     WHERE b.budget_id = p_budget AND b.voter_key IN (v_key, 'user:' || p_user)
     ORDER BY b.voter_key LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO budgets_ballot (budget_id, voter_id, voter_key, channel, commune_id, created_at, updated_at)
        VALUES (p_budget, p_user, v_key, p_channel, v_commune, p_now, p_now)
        ON CONFLICT (budget_id, voter_key) DO NOTHING
        RETURNING id INTO out_ballot;
        IF out_ballot IS NULL THEN
            SELECT b.id, b.voter_id, b.voter_key, b.created_at, b.updated_at INTO v_ballot
              FROM budgets_ballot b WHERE b.budget_id = p_budget AND b.voter_key = v_key FOR UPDATE;
        ELSE
            out_created := true;
            out_created_at := p_now;
        END IF;
    END IF;
    IF NOT out_created THEN
        -- Someone else's ballot (paper) or one that moves to a new key: the Python path decides.
        IF v_ballot.voter_id IS DISTINCT FROM p_user OR v_ballot.voter_key <> v_key THEN
            out_outcome := 'python'; RETURN NEXT; RETURN;
        END IF;
        out_ballot := v_ballot.id;
        out_created_at := v_ballot.created_at;
        out_key := v_key;
        out_commune := v_commune;
        -- A later request of this voter is in already: this one, older (its server was killed after sending
        -- it, say, and the voter sent another), must not undo it. The ballot sent last wins.
        IF v_ballot.updated_at > p_now THEN
            out_outcome := 'superseded'; RETURN NEXT; RETURN;
        END IF;
        UPDATE budgets_ballot SET channel = p_channel, commune_id = v_commune, updated_at = p_now
         WHERE id = v_ballot.id;
        DELETE FROM budgets_ballotchoice WHERE ballot_id = v_ballot.id;
    END IF;
    INSERT INTO budgets_ballotchoice (ballot_id, project_id, points)
    SELECT out_ballot, chosen.project, chosen.points FROM unnest(p_projects, p_points) AS chosen(project, points);
    IF out_created THEN
        INSERT INTO participation_contribution (organisation_id, component_id, kind, target_type_id, target_id,
                                                channel, author_id, residence_id, created_at)
        VALUES (p_organisation, p_component, p_kind, p_target_type, out_ballot, p_channel, p_user, v_commune,
                p_now);
    END IF;
    out_key := v_key;
    out_commune := v_commune;
    out_outcome := 'ok';
    RETURN NEXT;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS budgets_ballot_cast(bigint, text, bigint, bigint, bigint, boolean, integer, date, bigint[],
                                           integer[], bigint, text, timestamptz, bigint, bigint, integer, text);
DROP FUNCTION IF EXISTS budgets_ballot_box_stamp(bigint);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STAMP, params=None)  # None: '%s' in format() is no placeholder
        schema_editor.execute(CAST, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("budgets", "0002_paper_entry_commune"),
        ("accounts", "0002_verification"),
        ("participation", "0005_notification_preference"),
        ("spaces", "0002_component_verified_actions"),
    ]

    operations = [migrations.RunPython(create, drop)]
