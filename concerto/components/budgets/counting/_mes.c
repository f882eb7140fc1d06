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
 * run(election, per_voter, stale, tolerance, warm, prefix, prices, lent, lent_order, last_margin, budgets)
 *     -> None (too close to call) or (selected, rounds, bounds, margins):
 *   per_voter   every voter's budget at the start
 *   stale       float64[n]   in: each candidate's rho lower bound (inf: selected or out of reach); scratch
 *   prefix, prices  int64[r], float64[r]: the first r rounds, borrowed from the run above (prefix rounds,
 *               where every supporter of the selected candidate paid the price); the run starts after them
 *   lent        float64[rows * n] the run above's bounds per round, from round 0 (rows may be 0)
 *   lent_order  int64[...]   the run above's selections: its bounds hold while this run selects the same
 *   last_margin the margin of the borrowed prefix (inf if none)
 *   budgets     None, or float64[groups] to receive the money left at the end (a run keeps its budgets in
 *               the election's scratch: nothing the size of the electorate is allocated per run)
 *   selected    [(candidate, price per supporter)] after the prefix; rounds: [(rho, exact or None)];
 *   bounds      bytes: per round after the prefix, every candidate's bound after its evaluations (float64[n]);
 *   margins     the prefix's margins for the rounds this run added to it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* fastmes.py refuses a module built from another version of this file (a stale build). */
#define KERNEL_VERSION 3

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
    double *money, *wts, *bounds, *budget;
    /* what the run found, per round after the prefix: the selection, its price, rho, exact 1 / rho (or 0),
     * and the prefix's margin (rounds still in the prefix) */
    Py_ssize_t *picks;
    double *prices, *rhos, *margins;
    long long *exacts;
    int busy; /* a run is using it (runs may go on in two threads at once: one scratch each) */
} Scratch;

#define SCRATCHES 2

typedef struct {
    Py_ssize_t n, groups, entries, widest;
    double *costs, *weights; /* weights NULL: all 1 */
    long long *counts;
    int64_t *offsets;
    int32_t *supporters;
    Scratch scratch[SCRATCHES];
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
    double rich;             /* the weight of those with money */
    double capped, at_cap;   /* what they would pay at the price `cap` (at most cap each); the weight of
                                those with at least cap */
    double poor_weight, poor_money; /* the weight and the money of those with less than `below` */
} Sums;

/* One pass over a candidate's money for everything its evaluation starts with. */
static void money_sums(const double *money, const double *wts, Py_ssize_t n, double cap, double below, Sums *out)
{
    const pair limit = {cap, cap}, under = {below, below}, one = {1.0, 1.0}, nothing = {0.0, 0.0};
    pair a0 = {0.0, 0.0}, a1 = a0, w0 = a0, w1 = a0, c0 = a0, c1 = a0, r0 = a0, r1 = a0;
    pair p0 = a0, p1 = a0, q0 = a0, q1 = a0, h0 = a0, h1 = a0;
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
        h0 += keep(wa, a > nothing), h1 += keep(wb, b > nothing);
    }
#define TOTAL(x, y) ((x[0] + y[0]) + (x[1] + y[1]))
    double available = TOTAL(a0, a1), total = TOTAL(w0, w1), capped = TOTAL(c0, c1), at_cap = TOTAL(r0, r1);
    double poor_weight = TOTAL(p0, p1), poor_money = TOTAL(q0, q1), rich = TOTAL(h0, h1);
#undef TOTAL
    for (; k < n; k++) {
        double x = wts ? wts[k] : 1.0, m = money[k];
        available += x * m;
        total += x;
        capped += x * (m < cap ? m : cap);
        at_cap += m < cap ? 0.0 : x;
        poor_weight += m < below ? x : 0.0;
        poor_money += m < below ? x * m : 0.0;
        rich += m > 0.0 ? x : 0.0;
    }
    *out = (Sums){available, total, rich, capped, at_cap, poor_weight, poor_money};
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
    Py_ssize_t n = *length, empty = 0, k;
    const double *weights = e->weights, cost = e->costs[j];
    /* The loads are independent of each other (no compaction here: its count would make each wait for the
     * one before, and most loads miss the nearest caches). */
    for (k = 0; k < n; k++) {
        double m = budget[from[k]];
        money[k] = m;
        empty += m <= 0.0;
    }
    if (weights)
        for (k = 0; k < n; k++)
            wts[k] = weights[from[k]];
    if (4 * empty > n) {
        /* A quarter with nothing left: drop them from the live list (as `_evaluate` does). */
        Py_ssize_t kept = 0;
        for (k = 0; k < n; k++) {
            live[kept] = from[k], money[kept] = money[k];
            if (weights)
                wts[kept] = wts[k];
            kept += money[k] > 0.0;
        }
        *length = n = kept;
    } else if (from != live)
        memcpy(live, from, sizeof(int32_t) * n);
    const Py_ssize_t kept = n;
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
    double total = sums.total, rich = sums.rich, price = cost / rich, poor_weight, poor_money;
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
    free(s->budget);
    free(s->picks);
    free(s->prices);
    free(s->rhos);
    free(s->margins);
    free(s->exacts);
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
    for (int i = 0; i < SCRATCHES; i++)
        scratch_free(&e->scratch[i]);
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
    Py_ssize_t cells = e->n ? e->n : 1, widest = e->widest ? e->widest : 1;
    for (int i = 0; i < SCRATCHES; i++) {
        Scratch *sc = &e->scratch[i];
        sc->live = malloc(sizeof(int32_t) * (e->entries ? e->entries : 1));
        sc->copied = malloc(cells);
        sc->length = malloc(sizeof(Py_ssize_t) * cells);
        sc->order = malloc(sizeof(Py_ssize_t) * cells);
        sc->evaluated = malloc(sizeof(Py_ssize_t) * cells);
        sc->found = malloc(sizeof(Evaluation) * cells);
        sc->money = malloc(sizeof(double) * 2 * widest); /* the round's best's money, and the others' */
        sc->wts = malloc(sizeof(double) * widest);
        sc->bounds = malloc(sizeof(double) * cells * (e->n + 1)); /* a round per candidate at most, and the last */
        sc->budget = malloc(sizeof(double) * (e->groups ? e->groups : 1));
        sc->picks = malloc(sizeof(Py_ssize_t) * cells);
        sc->prices = malloc(sizeof(double) * cells);
        sc->rhos = malloc(sizeof(double) * cells);
        sc->margins = malloc(sizeof(double) * cells);
        sc->exacts = malloc(sizeof(long long) * cells);
        if (!sc->live || !sc->copied || !sc->length || !sc->order || !sc->evaluated || !sc->found || !sc->money
            || !sc->wts || !sc->bounds || !sc->budget || !sc->picks || !sc->prices || !sc->rhos || !sc->margins
            || !sc->exacts) {
            PyErr_NoMemory();
            goto fail;
        }
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

typedef struct {
    double per_voter, tolerance, warm;
    Py_ssize_t first_round; /* rounds borrowed from the run above (prefix rounds) */
    const int64_t *prefix_ids;
    const double *prefix_prices, *lent;
    Py_ssize_t lent_rows;
    const int64_t *lent_order;
    Py_ssize_t lent_picks;
    double last_margin;
} Task;

/* The run itself, without Python (the GIL is released around it). Fills the scratch's budgets, picks,
 * prices, rhos, exacts, margins (NAN once out of the prefix) and bounds; FOUND or AMBIGUOUS. */
static int run_rounds(const Election *e, Scratch *sc, const Task *t, double *stale, Py_ssize_t *picked,
                      Py_ssize_t *bounds_rows)
{
    const Py_ssize_t n = e->n;
    const double tolerance = t->tolerance;
    double *budget = sc->budget, last_margin = t->last_margin;
    int lending = t->lent_rows > 0, prefix = 1; /* prefix: every round so far was a prefix round */
    for (Py_ssize_t j = 0; j < n; j++) {
        sc->length[j] = e->offsets[j + 1] - e->offsets[j];
        sc->copied[j] = 0;
        sc->order[j] = j;
    }
    /* Every budget at per_voter, less what the borrowed prefix rounds cost each of their supporters. */
    for (Py_ssize_t g = 0; g < e->groups; g++)
        budget[g] = t->per_voter;
    for (Py_ssize_t r = 0; r < t->first_round; r++) {
        const int32_t *who = e->supporters + e->offsets[t->prefix_ids[r]];
        for (Py_ssize_t k = 0, end = e->offsets[t->prefix_ids[r] + 1] - e->offsets[t->prefix_ids[r]]; k < end; k++)
            budget[who[k]] -= t->prefix_prices[r];
        stale[t->prefix_ids[r]] = INFINITY;
    }
    double *money = sc->money, *best_money = sc->money + e->widest;
    for (Py_ssize_t round = t->first_round;; round++) {
        Py_ssize_t money_of = -1; /* whose money best_money holds */
        if (lending && round < t->lent_rows)
            for (Py_ssize_t j = 0; j < n; j++)
                if (t->lent[round * n + j] > stale[j])
                    stale[j] = t->lent[round * n + j];
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
                                   &sc->length[j], bound, threshold, tolerance, t->warm, money, sc->wts,
                                   &sc->found[j]);
            sc->copied[j] = 1;
            if (verdict == AMBIGUOUS)
                return AMBIGUOUS;
            if (verdict == OUT) {
                stale[j] = INFINITY; /* its supporters can no longer pay it, now or later */
                continue;
            }
            stale[j] = sc->found[j].rho; /* its rho, or a lower bound of it when BEATEN */
            if (verdict == BEATEN)
                continue;
            sc->evaluated[count++] = j;
            if (sc->found[j].rho < best_rho) {
                best_rho = sc->found[j].rho;
                double *swap = best_money; /* keep its money for paying, if it stays the best */
                best_money = money, money = swap, money_of = j;
            }
        }
        memcpy(sc->bounds + (round - t->first_round) * n, stale, sizeof(double) * n);
        *bounds_rows = round - t->first_round + 1;
        if (!count)
            return FOUND;
        Py_ssize_t best = choose(e, sc, budget, count, best_rho, tolerance);
        if (best < 0)
            return AMBIGUOUS;
        const Evaluation chosen = sc->found[best];
        stale[best] = INFINITY;
        if (lending && (round >= t->lent_picks || t->lent_order[round] != best))
            lending = 0; /* another order than the run above's from here: its bounds no longer hold */
        prefix = prefix && chosen.exact && chosen.exact == e->counts[best];
        /* Its supporters pay the price, or all they have; a budget too close to the price is ambiguous. */
        double price = chosen.price;
        const int32_t *who = sc->live + e->offsets[best];
        double near[4] = {INFINITY, INFINITY, INFINITY, INFINITY}; /* four minimums: no chain of waits */
        Py_ssize_t k = 0, paying = sc->length[best];
        if (money_of != best) { /* its money, as its evaluation read it: budgets have not changed since */
            for (k = 0; k < paying; k++)
                best_money[k] = budget[who[k]];
            k = 0;
        }
        for (; k + 4 <= paying; k += 4)
            for (int i = 0; i < 4; i++) {
                double left = best_money[k + i] - price, gap = fabs(left);
                near[i] = gap < near[i] ? gap : near[i];
                budget[who[k + i]] = left > 0.0 ? left : 0.0;
            }
        for (; k < paying; k++) {
            double left = best_money[k] - price, gap = fabs(left);
            near[0] = gap < near[0] ? gap : near[0];
            budget[who[k]] = left > 0.0 ? left : 0.0;
        }
        double closest = fmin(fmin(near[0], near[1]), fmin(near[2], near[3]));
        if (closest <= tolerance * price)
            return AMBIGUOUS;
        Py_ssize_t i = (*picked)++;
        sc->picks[i] = best, sc->prices[i] = price, sc->rhos[i] = chosen.rho, sc->exacts[i] = chosen.exact;
        if (prefix)
            last_margin = closest < last_margin ? closest : last_margin;
        sc->margins[i] = prefix ? last_margin : NAN;
    }
}

static int readable(PyObject *object, Py_buffer *view, Py_ssize_t itemsize, const char *name)
{
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != itemsize || view->len % itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: numbers of %zd bytes expected", name, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *run(PyObject *self, PyObject *args)
{
    PyObject *o_election, *o_stale, *o_prefix, *o_prices, *o_lent, *o_order, *o_budgets;
    double per_voter, tolerance, warm, last_margin;
    if (!PyArg_ParseTuple(args, "OdOddOOOOdO", &o_election, &per_voter, &o_stale, &tolerance, &warm, &o_prefix,
                          &o_prices, &o_lent, &o_order, &last_margin, &o_budgets))
        return NULL;
    Election *e = PyCapsule_GetPointer(o_election, "concerto.mes.election");
    if (!e)
        return NULL;
    const Py_ssize_t n = e->n;
    Py_buffer views[6]; /* stale, prefix, prices, lent, lent_order, budgets */
    int got = 0;
    PyObject *selected = NULL, *rounds = NULL, *margins = NULL, *result = NULL;
    if (writable(o_stale, &views[0], n, "stale") < 0)
        goto done;
    got++;
    PyObject *inputs[] = {o_prefix, o_prices, o_lent, o_order};
    const char *names[] = {"prefix", "prices", "lent", "lent_order"};
    for (int i = 0; i < 4; i++) {
        if (readable(inputs[i], &views[1 + i], 8, names[i]) < 0)
            goto done;
        got++;
    }
    if (o_budgets != Py_None) {
        if (writable(o_budgets, &views[5], e->groups, "budgets") < 0)
            goto done;
        got++;
    }
    const Py_ssize_t first_round = views[1].len / 8, lent_picks = views[4].len / 8;
    const Py_ssize_t lent_rows = n ? views[3].len / 8 / n : 0;
    const int64_t *prefix_ids = views[1].buf, *lent_order = views[4].buf;
    const double *prefix_prices = views[2].buf, *lent = views[3].buf;
    double *stale = views[0].buf;
    if (views[2].len != views[1].len || first_round > n || (n && views[3].len % (8 * n))) {
        PyErr_SetString(PyExc_ValueError, "prefix and prices: the same length, at most one per candidate; "
                                          "lent: float64[rows * n]");
        goto done;
    }
    for (Py_ssize_t r = 0; r < first_round; r++)
        if (prefix_ids[r] < 0 || prefix_ids[r] >= n) {
            PyErr_SetString(PyExc_ValueError, "prefix: a candidate out of range");
            goto done;
        }
    Scratch *sc = NULL;
    for (int i = 0; i < SCRATCHES && !sc; i++)
        if (!e->scratch[i].busy)
            sc = &e->scratch[i];
    if (!sc) {
        PyErr_SetString(PyExc_RuntimeError, "more runs of one election at once than it has scratch space for");
        goto done;
    }
    sc->busy = 1;
    const Task task = {per_voter, tolerance, warm, first_round, prefix_ids, prefix_prices, lent, lent_rows,
                       lent_order, lent_picks, last_margin};
    Py_ssize_t picked = 0, bounds_rows = 0;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = run_rounds(e, sc, &task, stale, &picked, &bounds_rows);
    Py_END_ALLOW_THREADS
    if (status == AMBIGUOUS) {
        sc->busy = 0;
        result = Py_NewRef(Py_None);
        goto done;
    }
    if (o_budgets != Py_None)
        memcpy(views[5].buf, sc->budget, sizeof(double) * e->groups);
    selected = PyList_New(picked), rounds = PyList_New(picked), margins = PyList_New(0);
    PyObject *bounds = PyBytes_FromStringAndSize((const char *)sc->bounds, sizeof(double) * n * bounds_rows);
    int failed = !selected || !rounds || !margins || !bounds;
    for (Py_ssize_t i = 0; i < picked && !failed; i++) {
        PyObject *choice = Py_BuildValue("(nd)", sc->picks[i], sc->prices[i]);
        PyObject *reached = sc->exacts[i] ? Py_BuildValue("(dL)", sc->rhos[i], sc->exacts[i])
                                          : Py_BuildValue("(dO)", sc->rhos[i], Py_None);
        failed = !choice || !reached;
        if (!failed) {
            PyList_SET_ITEM(selected, i, choice);
            PyList_SET_ITEM(rounds, i, reached);
        } else {
            Py_XDECREF(choice);
            Py_XDECREF(reached);
        }
        if (!failed && !isnan(sc->margins[i])) {
            PyObject *margin = PyFloat_FromDouble(sc->margins[i]);
            failed = !margin || PyList_Append(margins, margin);
            Py_XDECREF(margin);
        }
    }
    sc->busy = 0;
    if (!failed)
        result = Py_BuildValue("(OOOO)", selected, rounds, bounds, margins);
    Py_XDECREF(bounds);
done:
    Py_XDECREF(selected);
    Py_XDECREF(rounds);
    Py_XDECREF(margins);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&views[i]);
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
