"""The counts behind the weighted results (models.ChoiceCount), kept by database triggers.

Why triggers rather than the services: answers, responses and accounts' years of birth change through many paths
(a response sent, sent again or deleted, an option or question removed by cascade, a commune deleted, consent to
the demographics withdrawn, an account erased, bulk loads and SQL functions), and a trigger sees each row written
by any of them in the same transaction, one statement per row. The key of a count is what the weighted results
group by: the question, the option, the respondent's year of birth (as on their account, which the consent
withdrawal and the erasure clear) and the answer's commune of residence.

- an answer inserted, deleted or updated: its old row is taken out and its new row added, when its response is
  submitted;
- a response whose status or respondent changes (sent, back to draft, an erased account's responses set to
  NULL): all its answers move from the old (status, year of birth) to the new;
- an account whose year of birth changes: the answers of its submitted responses move from the old year to the
  new.

`rebuild` recounts the table from the answers (the migration's backfill, `manage.py choice_counts --rebuild`);
`recount` is that same GROUP BY, read without writing, which the tests and the bench compare with the table.
"""

from django.db import connection as default_connection

TABLE = "consultations_choicecount"
ANSWER = "consultations_answer"
RESPONSE = "consultations_response"
SUBMITTED = "submitted"
KEY = "question_id, option_key, birth_year, residence_key"
def _people(row: str) -> str:
    """1 for an answer that counts its respondent (rank 1, or no rank), else 0."""
    return f"CASE WHEN {row}.rank IS NULL OR {row}.rank = 1 THEN 1 ELSE 0 END"


PEOPLE = _people("a")
# Grouped upserts touch their count rows in key order, so two transactions updating overlapping rows (two people
# of the same year and commune sending their responses at once) take the rows' locks in the same order: one waits
# for the other, neither deadlocks.
IN_KEY_ORDER = "ORDER BY 1, 2, 3, 4"
UPSERT = (f"ON CONFLICT ({KEY}) DO UPDATE SET answers = {TABLE}.answers + excluded.answers, "
          f"people = {TABLE}.people + excluded.people")


def _user_table() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.db_table


def _answer_row(row: str, sign: str, users: str) -> str:
    """Adds (SIGN '+') or takes out ('-') the answer ROW (NEW or OLD) when its response is submitted."""
    return (f"INSERT INTO {TABLE} ({KEY}, answers, people) "
            f"SELECT {row}.question_id, COALESCE({row}.option_id, 0), COALESCE(u.birth_year, 0), "
            f"COALESCE({row}.residence_id, 0), {sign}1, {sign}({_people(row)}) "
            f"FROM {RESPONSE} r LEFT JOIN {users} u ON u.id = r.respondent_id "
            f"WHERE r.id = {row}.response_id AND r.status = '{SUBMITTED}' {UPSERT};")


def _response_rows(row: str, sign: str, users: str) -> str:
    """Adds or takes out every answer of the response ROW, with ROW's status and respondent."""
    return (f"INSERT INTO {TABLE} ({KEY}, answers, people) "
            f"SELECT a.question_id, COALESCE(a.option_id, 0), COALESCE(u.birth_year, 0), COALESCE(a.residence_id, 0), "
            f"{sign}COUNT(*), {sign}SUM({PEOPLE}) "
            f"FROM {ANSWER} a LEFT JOIN {users} u ON u.id = {row}.respondent_id "
            f"WHERE a.response_id = {row}.id AND {row}.status = '{SUBMITTED}' "
            f"GROUP BY a.question_id, a.option_id, u.birth_year, a.residence_id {IN_KEY_ORDER} {UPSERT};")


def _user_rows(row: str, sign: str) -> str:
    """Adds or takes out every answer of the submitted responses of the account ROW, with ROW's year of birth."""
    return (f"INSERT INTO {TABLE} ({KEY}, answers, people) "
            f"SELECT a.question_id, COALESCE(a.option_id, 0), COALESCE({row}.birth_year, 0), "
            f"COALESCE(a.residence_id, 0), {sign}COUNT(*), {sign}SUM({PEOPLE}) "
            f"FROM {RESPONSE} r JOIN {ANSWER} a ON a.response_id = r.id "
            f"WHERE r.respondent_id = {row}.id AND r.status = '{SUBMITTED}' "
            f"GROUP BY a.question_id, a.option_id, a.residence_id {IN_KEY_ORDER} {UPSERT};")


def _response_changed(old: str = "OLD", new: str = "NEW", distinct: str = "IS DISTINCT FROM") -> str:
    return f"{old}.status {distinct} {new}.status OR {old}.respondent_id {distinct} {new}.respondent_id"


def trigger_statements(vendor: str) -> list[str]:
    """The statements that install the triggers on VENDOR ("sqlite" or "postgresql"), replacing any already
    there."""
    users = _user_table()
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION consultations_count_answer() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN {_answer_row("OLD", "-", users)} END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN {_answer_row("NEW", "", users)} END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"""CREATE OR REPLACE FUNCTION consultations_count_response() RETURNS trigger AS $$
BEGIN
    IF {_response_changed()} THEN
        {_response_rows("OLD", "-", users)}
        {_response_rows("NEW", "", users)}
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"""CREATE OR REPLACE FUNCTION consultations_count_birth_year() RETURNS trigger AS $$
BEGIN
    IF OLD.birth_year IS DISTINCT FROM NEW.birth_year THEN
        {_user_rows("OLD", "-")}
        {_user_rows("NEW", "")}
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS consultations_count_answer ON {ANSWER}",
            f"CREATE TRIGGER consultations_count_answer AFTER INSERT OR UPDATE OR DELETE ON {ANSWER} "
            f"FOR EACH ROW EXECUTE FUNCTION consultations_count_answer()",
            f"DROP TRIGGER IF EXISTS consultations_count_response ON {RESPONSE}",
            f"CREATE TRIGGER consultations_count_response AFTER UPDATE OF status, respondent_id ON {RESPONSE} "
            f"FOR EACH ROW EXECUTE FUNCTION consultations_count_response()",
            f"DROP TRIGGER IF EXISTS consultations_count_birth_year ON {users}",
            f"CREATE TRIGGER consultations_count_birth_year AFTER UPDATE OF birth_year ON {users} "
            f"FOR EACH ROW EXECUTE FUNCTION consultations_count_birth_year()",
        ]
    statements = []
    for name, timing, body in [
        ("answer_insert", f"AFTER INSERT ON {ANSWER}", _answer_row("NEW", "", users)),
        ("answer_delete", f"AFTER DELETE ON {ANSWER}", _answer_row("OLD", "-", users)),
        ("answer_update", f"AFTER UPDATE ON {ANSWER}", _answer_row("OLD", "-", users) + _answer_row("NEW", "", users)),
        ("response_update", f"AFTER UPDATE OF status, respondent_id ON {RESPONSE} FOR EACH ROW "
                            f"WHEN {_response_changed(distinct='IS NOT')}",
         _response_rows("OLD", "-", users) + _response_rows("NEW", "", users)),
        ("birth_year_update", f"AFTER UPDATE OF birth_year ON {users} FOR EACH ROW "
                              f"WHEN OLD.birth_year IS NOT NEW.birth_year",
         _user_rows("OLD", "-") + _user_rows("NEW", "")),
    ]:
        statements.append(f"DROP TRIGGER IF EXISTS consultations_count_{name}")
        each_row = "" if "FOR EACH ROW" in timing else " FOR EACH ROW"
        statements.append(f"CREATE TRIGGER consultations_count_{name} {timing}{each_row} BEGIN {body} END")
    return statements


def _grouped() -> str:
    users = _user_table()
    return (f"SELECT a.question_id, COALESCE(a.option_id, 0), COALESCE(u.birth_year, 0), COALESCE(a.residence_id, 0), "
            f"COUNT(*), SUM({PEOPLE}) "
            f"FROM {ANSWER} a JOIN {RESPONSE} r ON r.id = a.response_id LEFT JOIN {users} u ON u.id = r.respondent_id "
            f"WHERE r.status = '{SUBMITTED}' GROUP BY a.question_id, a.option_id, u.birth_year, a.residence_id")


def install(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for statement in trigger_statements(connection.vendor):
            cursor.execute(statement)


def rebuild(connection=default_connection) -> int:
    """Recounts the whole table from the answers (in the caller's transaction); the number of rows written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({KEY}, answers, people) {_grouped()}")
        return cursor.rowcount


def recount(connection=default_connection) -> dict:
    """{(question, option, year of birth, residence): (answers, people)} counted afresh from the answers."""
    with connection.cursor() as cursor:
        cursor.execute(_grouped())
        return {tuple(row[:4]): (row[4], row[5]) for row in cursor.fetchall()}


def stored(connection=default_connection) -> dict:
    """The same, as the table holds it (rows fallen to zero left out)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {KEY}, answers, people FROM {TABLE} WHERE answers <> 0 OR people <> 0")
        return {tuple(row[:4]): (row[4], row[5]) for row in cursor.fetchall()}


def uninstall(connection=default_connection) -> None:
    """Drops the triggers (the migration's way back, before the table goes)."""
    with connection.cursor() as cursor:
        for statement in trigger_statements(connection.vendor):
            if statement.startswith("DROP TRIGGER"):
                cursor.execute(statement)
        if connection.vendor == "postgresql":
            for name in ("answer", "response", "birth_year"):
                cursor.execute(f"DROP FUNCTION IF EXISTS consultations_count_{name}()")
