"""PostgreSQL only: a one-tap API answer in one statement (polls/lane.py, the quick polls' fast lane).

`polls_answer_fast(...)` does what `services.poll_answer` does for the answers the lane takes, in the caller's
transaction (the lane calls it in autocommit: one statement, one durable commit): the API token's user and its
"last used" stamp (as `authenticate_api_token`: at most once a minute), the poll still public, open and unchanged
(its `updated_at` is the stamp the process read it with), the person's commune (verified, else declared) among
P_TARGETS, the answer (ON CONFLICT on `one_poll_answer_per_account`: a second answer stores nothing), its choices
and its ledger row, and, when P_COUNTED, the answers of each choice (and of the poll when P_MULTIPLE) in the
statement's snapshot, before its own answer. A PL/pgSQL function so that each session plans it once.
Returns one row: whether the poll was found as expected, the user when the answer was stored, its choices and
ledger rows written, and the counts.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION polls_answer_fast(
    p_key text, p_now timestamptz, p_minute_ago timestamptz, p_poll bigint, p_stamp timestamptz,
    p_targets bigint[], p_channel text, p_choices bigint[], p_organisation bigint, p_component bigint,
    p_kind text, p_answer_type integer, p_counted boolean, p_multiple boolean, p_all_choices bigint[])
RETURNS TABLE (out_poll bigint, out_user bigint, out_chosen bigint, out_ledger bigint, out_total bigint,
               out_counts json)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH token AS (SELECT k.id, k.user_id, k.last_used_at FROM accounts_apitoken k WHERE k.key_hash = p_key),
    touched AS (UPDATE accounts_apitoken k SET last_used_at = p_now FROM token WHERE k.id = token.id
                AND (token.last_used_at IS NULL OR token.last_used_at < p_minute_ago) RETURNING k.id),
    person AS (SELECT u.id, u.residence_id, COALESCE(
                   (SELECT v.organisation_id FROM accounts_verification v
                    JOIN territory_organisation o ON o.id = v.organisation_id
                    WHERE v.user_id = u.id AND v.revoked_at IS NULL AND o.kind = 'commune'
                    ORDER BY v.created_at DESC LIMIT 1),
                   u.residence_id) AS commune
               FROM token JOIN accounts_user u ON u.id = token.user_id WHERE u.is_active),
    poll AS (SELECT p.id FROM polls_poll p JOIN spaces_component c ON c.id = p.component_id
             JOIN spaces_space s ON s.id = c.space_id
             WHERE p.id = p_poll AND p.updated_at = p_stamp AND p.published_at IS NOT NULL AND c.published
               AND s.status = 'published' AND p.closed_at IS NULL AND p.opens_at <= p_now
               AND (p.closes_at IS NULL OR p.closes_at > p_now) AND NOT p.verified_only AND p.target_area IS NULL
               AND NOT COALESCE(c.verified_actions, '[]'::jsonb) @> '["answer"]'::jsonb),
    answer AS (INSERT INTO polls_answer AS a (poll_id, user_id, identity_hash, why, channel, created_at)
               SELECT poll.id, person.id, '', '', p_channel, p_now FROM poll, person
               WHERE person.commune = ANY(p_targets)
               ON CONFLICT (poll_id, user_id) DO NOTHING RETURNING a.id, a.user_id),
    chosen AS (INSERT INTO polls_answer_choices AS ac (answer_id, choice_id)
               SELECT answer.id, choice FROM answer, unnest(p_choices) choice RETURNING ac.choice_id),
    ledger AS (INSERT INTO participation_contribution AS l (organisation_id, component_id, kind, target_type_id,
                                                            target_id, channel, author_id, residence_id, created_at)
               SELECT p_organisation, p_component, p_kind, p_answer_type, answer.id, p_channel, person.id,
                      person.residence_id, p_now
               FROM answer JOIN person ON person.id = answer.user_id RETURNING l.id)
    SELECT (SELECT count(*) FROM poll), answer.user_id, (SELECT count(*) FROM chosen),
           (SELECT count(*) FROM ledger),
           (SELECT count(*) FROM polls_answer x WHERE p_counted AND p_multiple AND x.poll_id = p_poll),
           (SELECT json_object_agg(counts.choice_id, counts.n) FROM (
               SELECT y.choice_id, count(*) AS n FROM polls_answer_choices y
               WHERE p_counted AND y.choice_id = ANY(p_all_choices) GROUP BY y.choice_id) counts)
    FROM (SELECT 1) one LEFT JOIN answer ON true;
END;
$$;
"""

DROP = ("DROP FUNCTION IF EXISTS polls_answer_fast(text, timestamptz, timestamptz, bigint, timestamptz, bigint[], "
        "text, bigint[], bigint, bigint, text, integer, boolean, boolean, bigint[]);")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("polls", "0001_initial"),
        ("accounts", "0007_verification_franceconnect"),
        ("participation", "0012_newsletters"),
    ]

    operations = [migrations.RunPython(create, drop)]
