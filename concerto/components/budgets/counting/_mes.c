/* One run of the Method of Equal Shares in floats, compiled: the same rule and the same decisions as
 * fastmes.py's `_run_fast` (read its docstring first: the rule, the lower bounds, what a run lends to
 * the run one unit below it), without numpy's per-call overhead.
 *
 * The completion of a Warsaw-sized election runs the rule about 275 times; in numpy each run is a few
 * hundred calls on a few thousand numbers each, and the calls cost as much as the work. Here a run is
 * plain loops over the same arrays. Every decision is certain or the run gives up: a sum of money within
 * TOLERANCE of a cost, two best rhos within TOLERANCE that are not both exact integers, or a budget within
 * TOLERANCE of a price returns None, and fastmes.py runs the rule again in exact arithmetic. The floats
 * differ from numpy's only in the order of additions (numpy sums pairwise), far below TOLERANCE.
 *
 * One difference in the work, none in the decisions: once a round has a best rho, another candidate is
 * first tested at the best's price (one pass over its supporters: can they pay it there?). When they
 * cannot, it certainly ranks after the best, and its rho is not computed; a lower bound of it is kept.
 *
 * election(costs, counts, offsets, supporters, weights) -> a capsule, checked once, for every run:
 *   costs       float64[n]   each candidate's cost
 *   counts      int64[n]     each candidate's supporters (voters)
 *   offsets     int64[n + 1] candidate j's supporters are supporters[offsets[j]:offsets[j + 1]]
 *   supporters  int32[...]   indexes into the budgets (distinct ballots, or voters when every weight is 1)
 *   weights     float64[groups] how many voters each budget stands for, or None when all are 1
 * run(election, stale, budget, tolerance, warm, first_round, lent, lent_order, last_margin, after_prefix) -> None (too close to call) or (selected, rounds, bounds, margins, after_prefix_set):
 *   stale       float64[n]   in: each candidate's rho lower bound (inf: selected or out of reach); scratch
 *   budget      float64[groups] in: the budgets at the start of round FIRST_ROUND; out: at the end
 *   lent        float64[rows * n] the run above's bounds per round, from round 0 (rows may be 0)
 *   lent_order  int64[...]   the run above's selections: its bounds hold while this run selects the same
 *   last_margin the margin of the prefix so far (rounds before FIRST_ROUND are prefix rounds; inf if none)
 *   after_prefix float64[groups], written with the budgets when the prefix ends (after_prefix_set)
 *   selected    [(candidate, price per supporter)] from FIRST_ROUND on; rounds: [(rho, exact or None)];
 *   bounds      bytes: per round, every candidate's bound after its evaluations (float64[n] each);
 *   margins     the prefix's margins for the rounds this call added to it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* fastmes.py refuses a module built from another version of this file (a stale build). */
#define KERNEL_VERSION 2

enum { OUT = 0, FOUND = 1, AMBIGUOUS = 2, BEATEN = 3 };

typedef struct {
    double rho, price;
    long long exact; /* when every supporter with money pays the same: rho is exactly 1 / exact; else 0 */
} Evaluation;

/* A run's working arrays, kept with the election from one run to the next (runs do not overlap: the GIL
 * is held throughout). */
typedef struct {
    int32_t *live;          /* each candidate's supporters that may still have money, at its offset */
    unsigned char *copied;  /* whether a candidate's live list was made in this run */
    Py_ssize_t *length, *order, *evaluated;
    Evaluation *found;
    double *money, *wts, *bounds;
} Scratch;

typedef struct {
    Py_ssize_t n, groups, entries, widest;
    double *costs, *weights; /* weights NULL: all 1 */
    long long *counts;
    int64_t *offsets;
    int32_t *supporters;
    Scratch scratch;
} Election;

/* Two doubles at once (SSE2 on x86-64, NEON on arm64): GCC's and Clang's vector extensions. */
typedef double pair __attribute__((vector_size(16)));
typedef long long pair_mask __attribute__((vector_size(16)));

static inline pair load(const double *at)
{
    pair value;
    memcpy(&value, at, sizeof value);
    return value;
}

static inline pair keep(pair value, pair_mask mask)
{
    return (pair)((pair_mask)value & mask);
}

/* The weight and the money of the supporters with less than `below` (wts NULL: every weight is 1). The
 * comparisons are masks, not branches (which way one goes is a coin toss), and four independent sums run
 * at once; the order of additions changes the last bits only. */
static void poor_sums(const double *money, const double *wts, Py_ssize_t n, double below, double *weight,
                      double *paid)
{
    const pair limit = {below, below}, one = {1.0, 1.0};
    pair w0 = {0.0, 0.0}, w1 = w0, m0 = w0, m1 = w0;
    Py_ssize_t k = 0;
    for (; k + 4 <= n; k += 4) {
        pair a = load(money + k), b = load(money + k + 2);
        pair wa = keep(wts ? load(wts + k) : one, a < limit), wb = keep(wts ? load(wts + k + 2) : one, b < limit);
        w0 += wa, w1 += wb;
        m0 += wa * a, m1 += wb * b;
    }
    double w = (w0[0] + w1[0]) + (w0[1] + w1[1]), m = (m0[0] + m1[0]) + (m0[1] + m1[1]);
    for (; k < n; k++)
        if (money[k] < below) {
            double x = wts ? wts[k] : 1.0;
            w += x;
            m += x * money[k];
        }
    *weight = w;
    *paid = m;
}

typedef struct {
    double available, total; /* what the supporters have, and their weight */
    double capped, at_cap;   /* what they would pay at the price `cap` (at most cap each); the weight of
                                those with at least cap */
    double poor_weight, poor_money; /* the weight and the money of those with less than `below` */
} Sums;

/* One pass over a candidate's money for everything its evaluation starts with. */
static void money_sums(const double *money, const double *wts, Py_ssize_t n, double cap, double below, Sums *out)
{
    const pair limit = {cap, cap}, under = {below, below}, one = {1.0, 1.0};
    pair a0 = {0.0, 0.0}, a1 = a0, w0 = a0, w1 = a0, c0 = a0, c1 = a0, r0 = a0, r1 = a0;
    pair p0 = a0, p1 = a0, q0 = a0, q1 = a0;
    Py_ssize_t k = 0;
    for (; k + 4 <= n; k += 4) {
        pair a = load(money + k), b = load(money + k + 2);
        pair wa = wts ? load(wts + k) : one, wb = wts ? load(wts + k + 2) : one;
        pair_mask capped_a = a < limit, capped_b = b < limit;
        pair least_a = (pair)(((pair_mask)a & capped_a) | ((pair_mask)limit & ~capped_a));
        pair least_b = (pair)(((pair_mask)b & capped_b) | ((pair_mask)limit & ~capped_b));
        pair poor_a = keep(wa, a < under), poor_b = keep(wb, b < under);
        a0 += wa * a, a1 += wb * b;
        w0 += wa, w1 += wb;
        c0 += wa * least_a, c1 += wb * least_b;
        r0 += keep(wa, ~capped_a), r1 += keep(wb, ~capped_b);
        p0 += poor_a, p1 += poor_b;
        q0 += poor_a * a, q1 += poor_b * b;
    }
#define TOTAL(x, y) ((x[0] + y[0]) + (x[1] + y[1]))
    double available = TOTAL(a0, a1), total = TOTAL(w0, w1), capped = TOTAL(c0, c1), at_cap = TOTAL(r0, r1);
    double poor_weight = TOTAL(p0, p1), poor_money = TOTAL(q0, q1);
#undef TOTAL
    for (; k < n; k++) {
        double x = wts ? wts[k] : 1.0, m = money[k];
        available += x * m;
        total += x;
        capped += x * (m < cap ? m : cap);
        at_cap += m < cap ? 0.0 : x;
        poor_weight += m < below ? x : 0.0;
        poor_money += m < below ? x * m : 0.0;
    }
    *out = (Sums){available, total, capped, at_cap, poor_weight, poor_money};
}

/* Candidate j at the current budgets (fastmes.py's `_evaluate`), its supporters read from FROM (the
 * election's list at its first evaluation in a run, then its live list). Supporters found with no money are
 * written to LIVE without those found with nothing left: they would pay nothing for the rest of the run. THRESHOLD, when finite, is
 * the price above which j certainly ranks after the round's best: BEATEN when its supporters cannot pay
 * it there, with a lower bound of its rho. BOUND, a lower bound of j's rho, starts the search for its price
 * (the warm start of `_evaluate`). */
static int evaluate(const Election *e, const double *budget, Py_ssize_t j, const int32_t *from, int32_t *live,
                    Py_ssize_t *length, double bound, double threshold, double tolerance, double warm,
                    double *money, double *wts, Evaluation *out)
{
    Py_ssize_t n = *length, kept = 0, k;
    const double *weights = e->weights, cost = e->costs[j];
    for (k = 0; k < n; k++) {
        int32_t g = from[k];
        double m = budget[g];
        live[kept] = g, money[kept] = m;
        if (weights)
            wts[kept] = weights[g];
        kept += m > 0.0; /* written anyway, kept only with money: no branch to mispredict */
    }
    *length = kept;
    const double *w = weights ? wts : NULL;
    double start = warm > 0.0 ? bound * cost * (1.0 - warm) : 0.0; /* WARM 0: no warm start (tests) */
    Sums sums;
    money_sums(money, w, kept, threshold, start, &sums);
    if (sums.available < cost * (1.0 - tolerance))
        return OUT;
    if (sums.available <= cost * (1.0 + tolerance))
        return AMBIGUOUS;
    if (sums.capped < cost * (1.0 - tolerance)) {
        /* Its price is above the threshold: one step of the search below from there (each step stays at
         * most the price) gives a lower bound for the rounds to come. */
        out->rho = (threshold + (cost - sums.capped) / sums.at_cap) / cost;
        return BEATEN;
    }
    double total = sums.total, rich = total, price = cost / rich, poor_weight, poor_money;
    int first = 1;
    if (start > price) {
        /* The price is at least `start`, above the equal share: start from the poor found there. */
        first = 0;
        rich = total - sums.poor_weight;
        if (rich <= 0.0)
            return AMBIGUOUS;
        price = (cost - sums.poor_money) / rich;
    }
    for (Py_ssize_t step = 0;; step++) {
        /* Supporters with less than the price pay all they have, the others share the rest. Each step finds
         * one poor supporter more at least: more steps than supporters would be floats going round. */
        if (step > kept)
            return AMBIGUOUS;
        poor_sums(money, w, kept, price, &poor_weight, &poor_money);
        double weight = total - poor_weight;
        if (weight == rich)
            break;
        if (weight <= 0.0)
            return AMBIGUOUS;
        first = 0;
        rich = weight;
        price = (cost - poor_money) / weight;
    }
    out->price = price;
    if (first) {
        out->rho = 1.0 / rich;
        out->exact = (long long)rich;
    } else {
        out->rho = price / cost;
        out->exact = 0;
    }
    return FOUND;
}

/* ORDER sorted by increasing bound (ties: the smaller index, i.e. the smaller id). Insertion sort: from
 * one round to the next only the few candidates evaluated have new bounds, so ORDER is nearly sorted. */
static void sort_by_bound(Py_ssize_t *order, Py_ssize_t n, const double *stale)
{
    for (Py_ssize_t i = 1; i < n; i++) {
        Py_ssize_t x = order[i], k = i;
        while (k > 0 && (stale[x] < stale[order[k - 1]] || (stale[x] == stale[order[k - 1]] && x < order[k - 1]))) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = x;
    }
}

static void scratch_free(Scratch *s)
{
    free(s->live);
    free(s->copied);
    free(s->length);
    free(s->order);
    free(s->evaluated);
    free(s->found);
    free(s->money);
    free(s->wts);
    free(s->bounds);
}

static void election_free(PyObject *capsule)
{
    Election *e = PyCapsule_GetPointer(capsule, "concerto.mes.election");
    if (!e)
        return;
    free(e->costs);
    free(e->weights);
    free(e->counts);
    free(e->offsets);
    free(e->supporters);
    scratch_free(&e->scratch);
    free(e);
}

/* A C-contiguous buffer's copy, checked for its item size; NULL with an exception on failure. */
static void *copy_of(PyObject *object, Py_ssize_t itemsize, Py_ssize_t *items, const char *name)
{
    Py_buffer view;
    if (PyObject_GetBuffer(object, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    void *copy = NULL;
    if (view.itemsize != itemsize)
        PyErr_Format(PyExc_TypeError, "%s: items of %zd bytes expected", name, itemsize);
    else if (!(copy = malloc(view.len ? view.len : 1)))
        PyErr_NoMemory();
    else {
        memcpy(copy, view.buf, view.len);
        *items = view.len / itemsize;
    }
    PyBuffer_Release(&view);
    return copy;
}

static PyObject *election(PyObject *self, PyObject *args)
{
    PyObject *o_costs, *o_counts, *o_offsets, *o_supporters, *o_weights;
    if (!PyArg_ParseTuple(args, "OOOOO", &o_costs, &o_counts, &o_offsets, &o_supporters, &o_weights))
        return NULL;
    Election *e = calloc(1, sizeof(Election));
    if (!e)
        return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(e, "concerto.mes.election", election_free);
    if (!capsule) {
        free(e);
        return NULL;
    }
    Py_ssize_t counts = 0, offsets = 0, groups = 0;
    if (!(e->costs = copy_of(o_costs, 8, &e->n, "costs")) || !(e->counts = copy_of(o_counts, 8, &counts, "counts"))
        || !(e->offsets = copy_of(o_offsets, 8, &offsets, "offsets"))
        || !(e->supporters = copy_of(o_supporters, 4, &e->entries, "supporters"))
        || (o_weights != Py_None && !(e->weights = copy_of(o_weights, 8, &groups, "weights"))))
        goto fail;
    if (counts != e->n || offsets != e->n + 1 || e->offsets[0] != 0 || e->offsets[e->n] != e->entries) {
        PyErr_SetString(PyExc_ValueError, "inconsistent array sizes");
        goto fail;
    }
    int32_t highest = -1;
    for (Py_ssize_t j = 0; j < e->n; j++) {
        if (e->offsets[j + 1] < e->offsets[j]) {
            PyErr_SetString(PyExc_ValueError, "offsets must not decrease");
            goto fail;
        }
        if (e->offsets[j + 1] - e->offsets[j] > e->widest)
            e->widest = e->offsets[j + 1] - e->offsets[j];
    }
    for (Py_ssize_t k = 0; k < e->entries; k++) {
        if (e->supporters[k] < 0) {
            PyErr_SetString(PyExc_ValueError, "a supporter index is negative");
            goto fail;
        }
        if (e->supporters[k] > highest)
            highest = e->supporters[k];
    }
    e->groups = e->weights ? groups : (Py_ssize_t)highest + 1;
    if (highest >= e->groups) {
        PyErr_SetString(PyExc_ValueError, "a supporter is outside the weights");
        goto fail;
    }
    Scratch *sc = &e->scratch;
    Py_ssize_t cells = e->n ? e->n : 1, widest = e->widest ? e->widest : 1;
    sc->live = malloc(sizeof(int32_t) * (e->entries ? e->entries : 1));
    sc->copied = malloc(cells);
    sc->length = malloc(sizeof(Py_ssize_t) * cells);
    sc->order = malloc(sizeof(Py_ssize_t) * cells);
    sc->evaluated = malloc(sizeof(Py_ssize_t) * cells);
    sc->found = malloc(sizeof(Evaluation) * cells);
    sc->money = malloc(sizeof(double) * widest);
    sc->wts = malloc(sizeof(double) * widest);
    sc->bounds = malloc(sizeof(double) * cells * (e->n + 1)); /* a round per candidate at most, and the last */
    if (!sc->live || !sc->copied || !sc->length || !sc->order || !sc->evaluated || !sc->found || !sc->money
        || !sc->wts || !sc->bounds) {
        PyErr_NoMemory();
        goto fail;
    }
    return capsule;
fail:
    Py_DECREF(capsule);
    return NULL;
}

static int writable(PyObject *object, Py_buffer *view, Py_ssize_t items, const char *name)
{
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != 8 || view->len < items * 8) {
        PyErr_Format(PyExc_ValueError, "%s: at least %zd numbers of 8 bytes expected", name, items);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* The best of the round's evaluated candidates, or -1 when too close to call (fastmes.py's choice). */
static Py_ssize_t choose(const Election *e, const Scratch *s, const double *budget, Py_ssize_t count,
                         double best_rho, double tolerance)
{
    Py_ssize_t best = -1, near = 0;
    for (Py_ssize_t i = 0; i < count; i++)
        near += s->found[s->evaluated[i]].rho <= best_rho * (1.0 + tolerance);
    if (near == 1) {
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_ssize_t j = s->evaluated[i];
            if (best < 0 || s->found[j].rho < s->found[best].rho
                || (s->found[j].rho == s->found[best].rho && j < best))
                best = j;
        }
        return best;
    }
    /* Rhos too close for floats: exact integers 1 / rho decide, the largest first (ties: the smaller id),
     * if every supporter with money of each has clearly more than its price. */
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t j = s->evaluated[i];
        if (s->found[j].rho > best_rho * (1.0 + tolerance))
            continue;
        double least = INFINITY;
        const int32_t *who = s->live + e->offsets[j];
        for (Py_ssize_t k = 0; k < s->length[j]; k++)
            if (budget[who[k]] > 0.0 && budget[who[k]] < least)
                least = budget[who[k]];
        if (!s->found[j].exact || least <= s->found[j].price * (1.0 + tolerance))
            return -1;
        if (best < 0 || s->found[j].exact > s->found[best].exact
            || (s->found[j].exact == s->found[best].exact && j < best))
            best = j;
    }
    return best;
}

static PyObject *run(PyObject *self, PyObject *args)
{
    PyObject *o_election, *o_stale, *o_budget, *o_lent, *o_order, *o_after;
    double tolerance, warm, last_margin;
    Py_ssize_t first_round;
    int prefix = 1; /* the rounds so far were prefix rounds (Run.margins) */
    if (!PyArg_ParseTuple(args, "OOOddnOOdO", &o_election, &o_stale, &o_budget, &tolerance, &warm, &first_round,
                          &o_lent, &o_order, &last_margin, &o_after))
        return NULL;
    Election *e = PyCapsule_GetPointer(o_election, "concerto.mes.election");
    if (!e)
        return NULL;
    const Py_ssize_t n = e->n;
    if (first_round < 0 || first_round > n) {
        PyErr_SetString(PyExc_ValueError, "first_round: 0 to the number of candidates");
        return NULL;
    }
    Py_buffer stale_view, budget_view, lent_view, order_view, after_view;
    int got_stale = 0, got_budget = 0, got_lent = 0, got_order = 0, got_after = 0;
    PyObject *selected = NULL, *rounds = NULL, *margins = NULL, *result = NULL;
    if (writable(o_stale, &stale_view, n, "stale") < 0)
        goto done;
    got_stale = 1;
    if (writable(o_budget, &budget_view, e->groups, "budget") < 0)
        goto done;
    got_budget = 1;
    if (writable(o_after, &after_view, e->groups, "after_prefix") < 0)
        goto done;
    got_after = 1;
    if (PyObject_GetBuffer(o_lent, &lent_view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto done;
    got_lent = 1;
    if (PyObject_GetBuffer(o_order, &order_view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto done;
    got_order = 1;
    if (lent_view.itemsize != 8 || order_view.itemsize != 8 || (n && lent_view.len % (8 * n))) {
        PyErr_SetString(PyExc_ValueError, "lent: float64[rows * n], lent_order: int64 expected");
        goto done;
    }
    const Py_ssize_t lent_rows = n ? lent_view.len / (8 * n) : 0, lent_picks = order_view.len / 8;
    const double *lent = lent_view.buf;
    const int64_t *lent_order = order_view.buf;
    double *stale = stale_view.buf, *budget = budget_view.buf, *after = after_view.buf;
    int lending = lent_rows > 0, after_set = 0;

    Scratch *sc = &e->scratch;
    Py_ssize_t bounds_rows = 0;
    selected = PyList_New(0), rounds = PyList_New(0), margins = PyList_New(0);
    if (!selected || !rounds || !margins)
        goto done;
    for (Py_ssize_t j = 0; j < n; j++) {
        sc->length[j] = e->offsets[j + 1] - e->offsets[j];
        sc->copied[j] = 0;
        sc->order[j] = j;
    }

    int status = FOUND;
    for (Py_ssize_t round = first_round;; round++) {
        if (lending && round < lent_rows)
            for (Py_ssize_t j = 0; j < n; j++)
                if (lent[round * n + j] > stale[j])
                    stale[j] = lent[round * n + j];
        /* Evaluate by increasing lower bound; stop once the bound passes the best rho found. */
        sort_by_bound(sc->order, n, stale);
        Py_ssize_t count = 0;
        double best_rho = INFINITY;
        for (Py_ssize_t r = 0; r < n; r++) {
            Py_ssize_t j = sc->order[r];
            double bound = stale[j];
            if (isinf(bound) || (count && bound > best_rho * (1.0 + tolerance)))
                break;
            double threshold = count ? best_rho * (1.0 + tolerance) * e->costs[j] : INFINITY;
            int32_t *live = sc->live + e->offsets[j];
            int verdict = evaluate(e, budget, j, sc->copied[j] ? live : e->supporters + e->offsets[j], live,
                                   &sc->length[j], bound, threshold, tolerance, warm, sc->money, sc->wts,
                                   &sc->found[j]);
            sc->copied[j] = 1;
            if (verdict == AMBIGUOUS) {
                status = AMBIGUOUS;
                break;
            }
            if (verdict == OUT) {
                stale[j] = INFINITY; /* its supporters can no longer pay it, now or later */
                continue;
            }
            stale[j] = sc->found[j].rho; /* its rho, or a lower bound of it when BEATEN */
            if (verdict == BEATEN)
                continue;
            sc->evaluated[count++] = j;
            if (sc->found[j].rho < best_rho)
                best_rho = sc->found[j].rho;
        }
        if (status == AMBIGUOUS)
            break;
        memcpy(sc->bounds + (round - first_round) * n, stale, sizeof(double) * n);
        bounds_rows = round - first_round + 1;
        if (!count)
            break;
        Py_ssize_t best = choose(e, sc, budget, count, best_rho, tolerance);
        if (best < 0) {
            status = AMBIGUOUS;
            break;
        }
        const Evaluation chosen = sc->found[best];
        stale[best] = INFINITY;
        if (lending && (round >= lent_picks || lent_order[round] != best))
            lending = 0; /* another order than the run above's from here: its bounds no longer hold */
        int in_prefix = prefix && chosen.exact && chosen.exact == e->counts[best];
        if (prefix && !in_prefix) {
            memcpy(after, budget, sizeof(double) * e->groups);
            after_set = 1;
            prefix = 0;
        }
        /* Its supporters pay the price, or all they have; a budget too close to the price is ambiguous. */
        double price = chosen.price, closest = INFINITY;
        const int32_t *who = sc->live + e->offsets[best];
        double near[4] = {INFINITY, INFINITY, INFINITY, INFINITY}; /* four minimums: no chain of waits */
        Py_ssize_t k = 0, paying = sc->length[best];
        for (; k + 4 <= paying; k += 4)
            for (int i = 0; i < 4; i++) {
                double left = budget[who[k + i]] - price, gap = fabs(left);
                near[i] = gap < near[i] ? gap : near[i];
                budget[who[k + i]] = left > 0.0 ? left : 0.0;
            }
        for (; k < paying; k++) {
            double left = budget[who[k]] - price, gap = fabs(left);
            near[0] = gap < near[0] ? gap : near[0];
            budget[who[k]] = left > 0.0 ? left : 0.0;
        }
        closest = fmin(fmin(near[0], near[1]), fmin(near[2], near[3]));
        if (closest <= tolerance * price) {
            status = AMBIGUOUS;
            break;
        }
        PyObject *choice = Py_BuildValue("(nd)", best, price);
        PyObject *reached = chosen.exact ? Py_BuildValue("(dL)", chosen.rho, chosen.exact)
                                         : Py_BuildValue("(dO)", chosen.rho, Py_None);
        int failed = !choice || !reached || PyList_Append(selected, choice) || PyList_Append(rounds, reached);
        Py_XDECREF(choice);
        Py_XDECREF(reached);
        if (!failed && in_prefix) {
            last_margin = closest < last_margin ? closest : last_margin;
            PyObject *margin = PyFloat_FromDouble(last_margin);
            failed = !margin || PyList_Append(margins, margin);
            Py_XDECREF(margin);
        }
        if (failed)
            goto done;
    }
    if (status == AMBIGUOUS) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *bounds = PyBytes_FromStringAndSize((const char *)sc->bounds, sizeof(double) * n * bounds_rows);
    if (bounds) {
        result = Py_BuildValue("(OOOOO)", selected, rounds, bounds, margins, after_set ? Py_True : Py_False);
        Py_DECREF(bounds);
    }
done:
    Py_XDECREF(selected);
    Py_XDECREF(rounds);
    Py_XDECREF(margins);
    if (got_stale)
        PyBuffer_Release(&stale_view);
    if (got_budget)
        PyBuffer_Release(&budget_view);
    if (got_after)
        PyBuffer_Release(&after_view);
    if (got_lent)
        PyBuffer_Release(&lent_view);
    if (got_order)
        PyBuffer_Release(&order_view);
    return result;
}

static PyMethodDef methods[] = {
    {"election", election, METH_VARARGS, "The arrays of an election, checked once, for run()."},
    {"run", run, METH_VARARGS, "One run of the Method of Equal Shares in floats, or None when too close to call."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_mes", NULL, -1, methods};

PyMODINIT_FUNC PyInit__mes(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "VERSION", KERNEL_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
