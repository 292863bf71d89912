/* The published matrix (participant x provision: latest rating and
 * released self-assessment), its summaries per group and per UN M49
 * region, and the trajectory toward the instrument's goal year.
 *
 * All of them read one computed grid: the participants as at a date and,
 * per participant and provision, the class of the latest rating made by
 * then and the latest released self-assessment. A grid costs the same
 * few queries whatever its size (participants, provisions, then the latest
 * cells or the history: see docs/internals/implementation.md); the views
 * only select its rows and count. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static const char *const classes[] = {"implemented", "largely_implemented", "partly_implemented", "not_implemented",
                                      "not_rated"};
#define NCLASSES 5
#define IMPLEMENTED 0
#define NOT_RATED (NCLASSES - 1)
#define MAX_STATUSES 15 /* distinct self-assessments in one grid; the scale has 6 */

static int class_index(const char *rating)
{
    for (int i = 0; i < NCLASSES - 1; i++)
        if (strcmp(rating, classes[i]) == 0)
            return i;
    return NOT_RATED;
}

/* ---- the grid --------------------------------------------------------------- */

typedef struct grid_row {
    char code[65];
    char kind[16];         /* state or organization */
    char *name;            /* as at the date; owned */
    registry_place place;  /* UN M49; all NULL for an organization */
    bool selected;         /* passes the view's filters */
} grid_row;

typedef struct grid {
    grid_row *rows;             /* ordered by party code */
    size_t nrows, cap;
    int64_t *provisions;        /* ascending */
    size_t nprov;
    unsigned char *rating;      /* nrows x nprov class indexes */
    unsigned char *self;        /* nrows x nprov: 0 none, else 1 + index in 'statuses' */
    char *statuses[MAX_STATUSES];
    size_t nstatuses;
} grid;

static void grid_free(grid *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        free(g->rows[i].name);
    free(g->rows);
    free(g->provisions);
    free(g->rating);
    free(g->self);
    for (size_t i = 0; i < g->nstatuses; i++)
        free(g->statuses[i]);
    memset(g, 0, sizeof *g);
}

static int compare_code(const void *key, const void *row)
{
    return strcmp(key, ((const grid_row *)row)->code);
}

static int compare_provision(const void *key, const void *number)
{
    int64_t a = *(const int64_t *)key, b = *(const int64_t *)number;
    return a < b ? -1 : a > b;
}

/* The row of 'party', or NULL when it does not participate. */
static grid_row *grid_find(const grid *g, const char *party)
{
    return bsearch(party, g->rows, g->nrows, sizeof *g->rows, compare_code);
}

/* The index of the cell of 'party' on 'provision', or -1. Rows are read
 * in party order, so '*hint' (the last row found, NULL at first) is
 * usually the one asked for and saves the search. */
static long grid_cell(const grid *g, const char *party, int64_t provision, grid_row **hint)
{
    grid_row *r = *hint && strcmp((*hint)->code, party) == 0 ? *hint : grid_find(g, party);
    int64_t *p = bsearch(&provision, g->provisions, g->nprov, sizeof *g->provisions, compare_provision);
    if (r)
        *hint = r;
    return r && p ? (long)((size_t)(r - g->rows) * g->nprov + (size_t)(p - g->provisions)) : -1;
}

/* Adds a participant's row (depositary_each_participant() gives them in
 * code order, the order grid_find() searches). */
static int add_row(void *arg, const char *code, const char *kind, const char *name)
{
    grid *g = arg;
    if (g->nrows == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        grid_row *more = realloc(g->rows, cap * sizeof *more);
        if (!more)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        g->rows = more;
        g->cap = cap;
    }
    grid_row *r = &g->rows[g->nrows];
    memset(r, 0, sizeof *r);
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    r->selected = true;
    if (!(r->name = strdup(name)))
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    g->nrows++;
    return registry_m49_place(code, &r->place);
}

static int read_provisions(store *db, const char *slug, grid *g)
{
    store_stmt *st;
    size_t cap = 0;
    int rc = store_query(db, &st, "SELECT number FROM provision WHERE instrument = ? ORDER BY number", "s", slug);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (g->nprov == cap) {
            size_t more_cap = cap ? 2 * cap : 16;
            int64_t *more = realloc(g->provisions, more_cap * sizeof *more);
            if (!more) {
                rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
                break;
            }
            g->provisions = more;
            cap = more_cap;
        }
        g->provisions[g->nprov++] = store_col_int(st, 0);
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* The 1-based index of self-assessment 'status' in the grid, added when new. */
static int intern_status(grid *g, const char *status, unsigned char *out)
{
    for (size_t i = 0; i < g->nstatuses; i++)
        if (strcmp(g->statuses[i], status) == 0) {
            *out = (unsigned char)(i + 1);
            return ACCORD_OK;
        }
    if (g->nstatuses == MAX_STATUSES)
        return accord_fail(ACCORD_ESTORE, NULL, "more than %d distinct report statuses", MAX_STATUSES);
    if (!(g->statuses[g->nstatuses] = strdup(status)))
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    *out = (unsigned char)++g->nstatuses;
    return ACCORD_OK;
}

/* Puts each row (party, provision, rating, self-assessment) of 'st' in its
 * cell of 'g', and closes 'st'. A NULL rating or status leaves the cell's
 * as it was; a later row overwrites an earlier one. */
static int fill_cells(store_stmt *st, grid *g)
{
    int rc;
    grid_row *hint = NULL;
    while ((rc = store_step(st)) == STORE_ROW) {
        long cell = grid_cell(g, store_col_text(st, 0), store_col_int(st, 1), &hint);
        if (cell < 0)
            continue; /* not a participant as at the date */
        const char *rating = store_col_text(st, 2), *status = store_col_text(st, 3);
        if (rating)
            g->rating[cell] = (unsigned char)class_index(rating);
        if (status && (rc = intern_status(g, status, &g->self[cell])))
            break;
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Every rating, then every released report, of the instrument made by
 * 'end', oldest first: each overwrites its cell, so the latest stays. The
 * history, read when the matrix is asked as at an earlier date than the
 * log's last entry. */
static int read_cells(store *db, const char *slug, const char *cycle, const char *end, grid *g)
{
    static const char *const history[] = {
        "SELECT g.party, g.provision, g.rating, NULL FROM rating g JOIN event e ON e.seq = g.seq"
        " WHERE g.instrument = ? AND (? IS NULL OR g.cycle = ?) AND e.at <= ? ORDER BY g.seq",
        "SELECT r.party, r.provision, NULL, r.status FROM report r JOIN event e ON e.seq = r.seq"
        " WHERE r.instrument = ? AND (? IS NULL OR r.cycle = ?) AND e.at <= ? ORDER BY r.seq"};
    int rc = ACCORD_OK;
    for (int i = 0; i < 2 && !rc; i++) {
        store_stmt *st;
        rc = store_query(db, &st, history[i], "ssss", slug, cycle, cycle, end);
        if (!rc)
            rc = fill_cells(st, g);
    }
    return rc;
}

/* The latest cells (table latest_cell, kept by the appliers) of 'scope':
 * a cycle's code, or "*" for any cycle. Right as at any date on or after
 * the time of the log's last entry. */
static int read_latest_cells(store *db, const char *slug, const char *scope, grid *g)
{
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT party, provision, rating, status FROM latest_cell WHERE instrument = ? AND scope = ?",
                         "ss", slug, scope);
    return rc ? rc : fill_cells(st, g);
}

/* Whether no log entry is later than 'end': then the latest cells are the
 * cells as at 'end' (entries are compared by their own time, which the
 * clock may not have kept in log order, hence max(at), not the last). */
static int log_ends_by(store *db, const char *end, bool *out)
{
    char last[64] = "";
    int rc = store_one_text(db, last, sizeof last, "SELECT max(at) FROM event", "");
    *out = !last[0] || strcmp(last, end) <= 0;
    return rc < 0 ? rc : ACCORD_OK;
}

static int check_cycle(store *db, const char *slug, const char *cycle)
{
    int rc = store_exists(db, "SELECT 1 FROM cycle WHERE instrument = ? AND code = ?", "ss", slug, cycle);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "cycle", "cycle: no cycle '%s' of '%s'", cycle, slug);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Computes the grid of 'slug' as at 'as_of' (ratings of 'cycle' only,
 * when given), every row selected. On failure '*g' holds nothing. */
static int grid_load(store *db, const char *slug, const char *cycle, const char *as_of, grid *g)
{
    char opened[11];
    memset(g, 0, sizeof *g);
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc) rc = date_check(as_of, "as_of");
    if (!rc && cycle) rc = check_cycle(db, slug, cycle);
    if (!rc) rc = depositary_each_participant(db, slug, as_of, add_row, g);
    if (!rc) rc = read_provisions(db, slug, g);
    if (!rc) {
        size_t cells = g->nrows * g->nprov;
        g->rating = malloc(cells ? cells : 1);
        g->self = calloc(cells ? cells : 1, 1);
        if (!g->rating || !g->self)
            rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        else
            memset(g->rating, NOT_RATED, cells);
    }
    char end[32];
    bool current = false;
    snprintf(end, sizeof end, "%sT23:59:59Z", as_of);
    if (!rc) rc = log_ends_by(db, end, &current);
    if (!rc && current) rc = read_latest_cells(db, slug, cycle ? cycle : "*", g);
    if (!rc && !current) rc = read_cells(db, slug, cycle, end, g);
    if (rc)
        grid_free(g);
    return rc;
}

/* ---- filters ------------------------------------------------------------------ */

/* Keeps selected only the members and observers of 'group' as at 'as_of'. */
static int select_group(store *db, grid *g, const char *group, const char *as_of)
{
    json_t *brief, *members;
    int rc = registry_group_brief(db, group, as_of, &brief);
    if (rc == ACCORD_ENOTFOUND)
        return accord_fail(rc, "group", "group: no group '%s' (see /api/v1/groups)", group);
    if (rc)
        return rc;
    json_decref(brief);
    if ((rc = registry_group_members(db, group, as_of, &members)))
        return rc;
    bool *member = calloc(g->nrows ? g->nrows : 1, sizeof *member);
    if (!member) {
        json_decref(members);
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        grid_row *r = grid_find(g, json_string_value(json_object_get(m, "code")));
        if (r)
            member[r - g->rows] = true;
    }
    for (i = 0; i < g->nrows; i++)
        g->rows[i].selected = g->rows[i].selected && member[i];
    free(member);
    json_decref(members);
    return ACCORD_OK;
}

/* Keeps selected only the states within 'region'. */
static void select_region(grid *g, const registry_area *region)
{
    for (size_t i = 0; i < g->nrows; i++)
        g->rows[i].selected = g->rows[i].selected && registry_m49_within(g->rows[i].code, region);
}

/* ---- counting ------------------------------------------------------------------ */

/* Cells counted per rating class, overall and per provision. */
typedef struct tally {
    int participants;
    int total[NCLASSES];
    int (*per)[NCLASSES]; /* one per provision */
} tally;

static int tally_init(tally *t, size_t nprov)
{
    memset(t, 0, sizeof *t);
    t->per = calloc(nprov ? nprov : 1, sizeof *t->per);
    return t->per ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

static void tally_row(tally *t, const grid *g, size_t row)
{
    const unsigned char *cells = g->rating + row * g->nprov;
    t->participants++;
    for (size_t k = 0; k < g->nprov; k++) {
        t->total[cells[k]]++;
        t->per[k][cells[k]]++;
    }
}

static json_t *class_counts(const int *n)
{
    json_t *o = json_object();
    for (int i = 0; i < NCLASSES; i++)
        json_object_set_new(o, classes[i], json_integer(n[i]));
    return o;
}

static json_t *by_provision_json(const tally *t, const grid *g)
{
    json_t *list = json_array();
    for (size_t k = 0; k < g->nprov; k++)
        json_array_append_new(list, json_pack("{s:I, s:o}", "provision", (json_int_t)g->provisions[k], "counts",
                                              class_counts(t->per[k])));
    return list;
}

/* The share of cells rated implemented, or null when there are none. */
static json_t *share_json(const tally *t)
{
    int cells = 0;
    for (int c = 0; c < NCLASSES; c++)
        cells += t->total[c];
    return cells ? json_real((double)t->total[IMPLEMENTED] / cells) : json_null();
}

/* Adds the participants, cell counts, share and per provision counts of
 * 't' to 'o'; returns 'o'. */
static json_t *with_tally(json_t *o, const tally *t, const grid *g)
{
    json_object_set_new(o, "participants", json_integer(t->participants));
    json_object_set_new(o, "counts", class_counts(t->total));
    json_object_set_new(o, "share_implemented", share_json(t));
    json_object_set_new(o, "by_provision", by_provision_json(t, g));
    return o;
}

/* ---- the matrix ----------------------------------------------------------------- */

/* The matrix is written as JSON text directly: with 200 parties and 10
 * provisions it has 2,000 cells, and building them as a tree of JSON
 * values, then serializing it, cost more than computing the grid. */

/* Appends ,"key":value where value is 'text' as a JSON string, or null. */
static int write_field(buf *out, const char *key, const char *text)
{
    int rc = buf_puts(out, ",\"");
    if (!rc) rc = buf_puts(out, key);
    if (!rc) rc = buf_puts(out, "\":");
    if (!rc) rc = text ? json_write_string(out, text) : buf_puts(out, "null");
    return rc;
}

/* Appends ,"key":{"code","name"} of 'a', or ,"key":null. */
static int write_area(buf *out, const char *key, const registry_area *a)
{
    int rc = buf_puts(out, ",\"");
    if (!rc) rc = buf_puts(out, key);
    if (!rc && !a) return buf_puts(out, "\":null");
    if (!rc) rc = buf_puts(out, "\":{\"code\":\"");
    if (!rc) rc = buf_puts(out, a->code);
    if (!rc) rc = buf_puts(out, "\",\"name\":");
    if (!rc) rc = json_write_string(out, a->name);
    return rc ? rc : buf_puts(out, "}");
}

static int write_counts(buf *out, const int *n)
{
    int rc = ACCORD_OK;
    for (int c = 0; c < NCLASSES && !rc; c++)
        rc = buf_printf(out, "%s\"%s\":%d", c ? "," : "{", classes[c], n[c]);
    return rc ? rc : buf_puts(out, "}");
}

/* The head of the matrix: its filters, scale and counts. */
static int write_head(buf *out, const char *slug, const char *cycle, const char *group, const registry_area *area,
                      const char *as_of, const tally *t, const grid *g)
{
    int rc = buf_puts(out, "{\"instrument\":");
    if (!rc) rc = json_write_string(out, slug);
    if (!rc) rc = write_field(out, "cycle", cycle);
    if (!rc) rc = write_field(out, "group", group);
    if (!rc) rc = write_area(out, "region", area);
    if (!rc && area) {
        out->len--; /* the region also names its type */
        rc = buf_printf(out, ",\"type\":\"%s\"}", registry_area_type_name(area->type));
    }
    if (!rc) rc = write_field(out, "as_of", as_of);
    if (!rc) rc = write_field(out, "scale", IMPLEMENTATION_RATINGS);
    if (!rc) rc = buf_printf(out, ",\"participants\":%d,\"counts\":", t->participants);
    if (!rc) rc = write_counts(out, t->total);
    if (!rc) rc = buf_puts(out, ",\"by_provision\":[");
    for (size_t k = 0; k < g->nprov && !rc; k++) {
        rc = buf_printf(out, "%s{\"provision\":%" PRId64 ",\"counts\":", k ? "," : "", g->provisions[k]);
        if (!rc) rc = write_counts(out, t->per[k]);
        if (!rc) rc = buf_puts(out, "}");
    }
    return rc ? rc : buf_puts(out, "],\n\"rows\":[");
}

/* The text of the cells, made once per matrix: a cell is its provision's
 * piece, its rating's and its self-assessment's, so that 2,000 cells cost
 * 6,000 copies rather than 2,000 formatted prints. */
typedef struct cell_text {
    char (*provision)[48];        /* ,{"provision":N,"rating":"  (skip the comma for the first) */
    char rating[NCLASSES][48];    /* implemented","self_assessment": */
    char *status[MAX_STATUSES + 1]; /* [0] null}, then "in_progress"} ... */
} cell_text;

static void cell_text_free(cell_text *c, const grid *g)
{
    free(c->provision);
    for (size_t s = 0; s <= g->nstatuses; s++)
        free(c->status[s]);
}

static int cell_text_make(cell_text *c, const grid *g)
{
    memset(c, 0, sizeof *c);
    c->provision = calloc(g->nprov ? g->nprov : 1, sizeof *c->provision);
    if (!c->provision)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (size_t k = 0; k < g->nprov; k++)
        snprintf(c->provision[k], sizeof c->provision[k], ",{\"provision\":%" PRId64 ",\"rating\":\"", g->provisions[k]);
    for (int r = 0; r < NCLASSES; r++)
        snprintf(c->rating[r], sizeof c->rating[r], "%s\",\"self_assessment\":", classes[r]);
    int rc = (c->status[0] = strdup("null}")) ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (size_t s = 0; s < g->nstatuses && !rc; s++) {
        buf b;
        buf_init(&b, 2 * strlen(g->statuses[s]) + 16);
        rc = json_write_string(&b, g->statuses[s]);
        if (!rc) rc = buf_puts(&b, "}");
        if (!rc) c->status[s + 1] = buf_steal(&b);
        buf_free(&b);
    }
    return rc;
}

/* One row: the party, where it lies, and a cell per provision. */
static int write_row(buf *out, const grid *g, size_t i, bool first, const cell_text *text)
{
    const grid_row *r = &g->rows[i];
    int rc = buf_puts(out, first ? "\n{\"party\":{\"code\":" : ",\n{\"party\":{\"code\":");
    if (!rc) rc = json_write_string(out, r->code);
    if (!rc) rc = write_field(out, "kind", r->kind);
    if (!rc) rc = write_field(out, "name", r->name);
    if (!rc) rc = buf_puts(out, "}");
    if (!rc) rc = write_area(out, "region", r->place.region);
    if (!rc) rc = write_area(out, "subregion", r->place.subregion);
    if (!rc) rc = write_area(out, "intermediate_region", r->place.intermediate);
    if (!rc) rc = buf_puts(out, ",\"cells\":[");
    for (size_t k = 0; k < g->nprov && !rc; k++) {
        size_t at = i * g->nprov + k;
        rc = buf_puts(out, text->provision[k] + (k == 0));
        if (!rc) rc = buf_puts(out, text->rating[g->rating[at]]);
        if (!rc) rc = buf_puts(out, text->status[g->self[at]]);
    }
    return rc ? rc : buf_puts(out, "]}");
}

static int write_matrix(buf *out, const char *slug, const char *cycle, const char *group, const registry_area *area,
                        const char *as_of, const tally *t, const grid *g)
{
    cell_text text;
    int rc = cell_text_make(&text, g);
    if (!rc) rc = write_head(out, slug, cycle, group, area, as_of, t, g);
    bool first = true;
    for (size_t i = 0; i < g->nrows && !rc; i++)
        if (g->rows[i].selected) {
            rc = write_row(out, g, i, first, &text);
            first = false;
        }
    if (!rc) rc = buf_puts(out, "]}\n");
    cell_text_free(&text, g);
    return rc;
}

int implementation_matrix(store *db, const char *slug, const char *cycle, const char *group, const char *region,
                          const char *as_of, buf *out)
{
    const registry_area *area = NULL;
    grid g;
    tally t = {0};
    int rc = region ? registry_m49_region(region, "region", &area) : ACCORD_OK;
    if (!rc) rc = grid_load(db, slug, cycle, as_of, &g);
    if (rc)
        return rc;
    if (group) rc = select_group(db, &g, group, as_of);
    if (!rc && area) select_region(&g, area);
    if (!rc) rc = tally_init(&t, g.nprov);
    for (size_t i = 0; !rc && i < g.nrows; i++)
        if (g.rows[i].selected)
            tally_row(&t, &g, i);
    if (!rc) rc = write_matrix(out, slug, cycle, group, area, as_of, &t, &g);
    free(t.per);
    grid_free(&g);
    return rc;
}

int implementation_matrix_json(store *db, const char *slug, const char *cycle, const char *group, const char *region,
                               const char *as_of, json_t **out)
{
    buf text;
    buf_init(&text, IMPLEMENTATION_MAX_MATRIX_TEXT);
    int rc = implementation_matrix(db, slug, cycle, group, region, as_of, &text);
    json_error_t err;
    if (!rc && !(*out = json_loadb(text.data, text.len, 0, &err)))
        rc = accord_fail(ACCORD_ESTORE, NULL, "the matrix is not valid JSON: %s", err.text);
    buf_free(&text);
    return rc;
}

/* ---- summaries ------------------------------------------------------------------ */

/* One entry per group in the registry: its members and observers as at the
 * date, and the counts over those of them that participate. */
static int summary_by_group(store *db, const grid *g, const char *as_of, json_t **out)
{
    json_t *groups, *list = json_array();
    int rc = registry_list_groups(db, &groups);
    size_t i;
    json_t *grp;
    json_array_foreach(groups, i, grp)
    {
        const char *code = json_string_value(json_object_get(grp, "code"));
        json_t *brief = NULL, *members = NULL;
        tally t;
        if (!rc) rc = registry_group_brief(db, code, as_of, &brief);
        if (!rc) rc = registry_group_members(db, code, as_of, &members);
        if (!rc) rc = tally_init(&t, g->nprov);
        if (rc) {
            json_decref(brief);
            json_decref(members);
            break;
        }
        size_t j;
        json_t *m;
        json_array_foreach(members, j, m)
        {
            grid_row *r = grid_find(g, json_string_value(json_object_get(m, "code")));
            if (r)
                tally_row(&t, g, (size_t)(r - g->rows));
        }
        json_t *entry = json_pack("{s:s, s:O, s:O, s:I}", "code", code, "name", json_object_get(brief, "name"), "kind",
                                  json_object_get(brief, "kind"), "members", (json_int_t)json_array_size(members));
        json_array_append_new(list, with_tally(entry, &t, g));
        free(t.per);
        json_decref(brief);
        json_decref(members);
    }
    json_decref(groups);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

/* A region's running tally, in the order regions are first met. */
typedef struct region_tally {
    const registry_area *area;
    tally t;
} region_tally;

static int compare_region_tally(const void *x, const void *y)
{
    const registry_area *a = ((const region_tally *)x)->area, *b = ((const region_tally *)y)->area;
    /* Each region, then its subregions, by code. */
    const registry_area *ra = a->type == REGISTRY_AREA_REGION ? a : a->parent;
    const registry_area *rb = b->type == REGISTRY_AREA_REGION ? b : b->parent;
    int c = strcmp(ra->code, rb->code);
    if (c)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* Adds row 'row' to the tally of 'area' (created when new). */
static int region_add(region_tally *list, size_t *n, const registry_area *area, const grid *g, size_t row)
{
    size_t i = 0;
    while (i < *n && list[i].area != area)
        i++;
    if (i == *n) {
        int rc = tally_init(&list[i].t, g->nprov);
        if (rc)
            return rc;
        list[i].area = area;
        (*n)++;
    }
    tally_row(&list[i].t, g, row);
    return ACCORD_OK;
}

/* One entry per M49 region and subregion that has participants, each
 * region followed by its subregions; participants without a region
 * (organizations, and states M49 places in none) are counted apart. */
static int summary_by_region(const grid *g, json_t **out, json_t **unplaced)
{
    /* At most a region and a subregion per participant. */
    region_tally *list = calloc(2 * g->nrows + 1, sizeof *list);
    tally none;
    size_t n = 0;
    int rc = list ? tally_init(&none, g->nprov) : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < g->nrows && !rc; i++) {
        const registry_place *p = &g->rows[i].place;
        if (!p->region)
            tally_row(&none, g, i);
        else
            rc = region_add(list, &n, p->region, g, i);
        if (!rc && p->subregion)
            rc = region_add(list, &n, p->subregion, g, i);
    }
    if (!rc) {
        qsort(list, n, sizeof *list, compare_region_tally);
        *out = json_array();
        for (size_t i = 0; i < n; i++) {
            const registry_area *a = list[i].area;
            json_t *entry = json_pack("{s:s, s:s, s:s, s:s}", "code", a->code, "name", a->name, "type",
                                      registry_area_type_name(a->type), "parent", a->parent->code);
            json_array_append_new(*out, with_tally(entry, &list[i].t, g));
        }
        *unplaced = with_tally(json_object(), &none, g);
        free(none.per);
    }
    for (size_t i = 0; list && i < n; i++)
        free(list[i].t.per);
    free(list);
    return rc;
}

int implementation_summary(store *db, const char *slug, const char *by, const char *cycle, const char *as_of,
                           json_t **out)
{
    if (!by || (strcmp(by, "group") && strcmp(by, "region")))
        return accord_fail(ACCORD_EINVAL, "by", "by: give group or region");
    bool by_group = strcmp(by, "group") == 0;
    grid g;
    tally all;
    int rc = by_group ? ACCORD_OK : registry_m49_load();
    if (!rc) rc = grid_load(db, slug, cycle, as_of, &g);
    if (rc)
        return rc;
    json_t *entries = NULL, *unplaced = NULL;
    rc = tally_init(&all, g.nprov);
    for (size_t i = 0; !rc && i < g.nrows; i++)
        tally_row(&all, &g, i);
    if (!rc) rc = by_group ? summary_by_group(db, &g, as_of, &entries) : summary_by_region(&g, &entries, &unplaced);
    if (!rc) {
        *out = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "instrument", slug, "by", by, "cycle", cycle, "as_of", as_of,
                         "scale", IMPLEMENTATION_RATINGS);
        json_object_set_new(*out, "all", with_tally(json_object(), &all, &g));
        json_object_set_new(*out, by_group ? "groups" : "regions", entries);
        if (unplaced)
            json_object_set_new(*out, "without_region", unplaced);
    }
    free(all.per);
    grid_free(&g);
    return rc;
}

/* ---- the trajectory --------------------------------------------------------------- */

/* The cells of 'g' rated implemented: in column 'provision' (an index),
 * or in all of them when it is negative. */
static size_t count_implemented(const grid *g, long provision)
{
    size_t done = 0;
    for (size_t r = 0; r < g->nrows; r++)
        for (size_t p = 0; p < g->nprov; p++)
            done += (provision < 0 || (size_t)provision == p) && g->rating[r * g->nprov + p] == IMPLEMENTED;
    return done;
}

/* One point of a trajectory: 'done' of 'cells' implemented against the
 * straight path's 'target' share. */
static json_t *trajectory_point(size_t cells, size_t done, double target)
{
    double share = cells ? (double)done / (double)cells : 0.0;
    return json_pack("{s:I, s:I, s:f, s:f, s:s}", "cells", (json_int_t)cells, "implemented", (json_int_t)done, "share",
                     share, "target", target, "label", share >= target ? "on track" : "off track");
}

int implementation_trajectory(store *db, const char *slug, const char *today, json_t **out)
{
    json_t *inst;
    int rc = registry_get_instrument(db, slug, &inst);
    if (rc)
        return rc;
    const char *opened = json_string_value(json_object_get(inst, "opened_on"));
    int start = date_year(opened), now = date_year(today);
    int goal = (int)json_integer_value(json_object_get(inst, "goal_year"));
    json_decref(inst);
    if (goal <= start)
        return accord_fail(ACCORD_ERULE, "slug", "%s has no goal year after its opening", slug);
    json_t *years = json_array();
    for (int y = start; y <= now && !rc; y++) {
        /* Each year as at its last day, the current one as at today. */
        char date[24];
        if (y < now)
            snprintf(date, sizeof date, "%04d-12-31", y % 10000);
        else
            snprintf(date, sizeof date, "%s", today);
        grid g;
        if ((rc = grid_load(db, slug, NULL, date, &g)))
            break;
        double target = (double)(y - start) / (double)(goal - start);
        json_t *year = json_pack("{s:i, s:s}", "year", y, "as_of", date);
        json_object_update_new(year, trajectory_point(g.nrows * g.nprov, count_implemented(&g, -1), target));
        json_t *by_provision = json_array();
        for (size_t p = 0; p < g.nprov; p++) {
            json_t *point = json_pack("{s:I}", "provision", (json_int_t)g.provisions[p]);
            json_object_update_new(point, trajectory_point(g.nrows, count_implemented(&g, (long)p), target));
            json_array_append_new(by_provision, point);
        }
        json_object_set_new(year, "by_provision", by_provision);
        json_array_append_new(years, year);
        grid_free(&g);
    }
    if (rc) {
        json_decref(years);
        return rc;
    }
    *out = json_pack("{s:s, s:i, s:i, s:s, s:o}", "instrument", slug, "opened", start, "goal_year", goal, "measure",
                     "share of participant x provision cells whose latest rating is 'implemented', against the straight "
                     "path from 0 in the opening year to 1 in the goal year; by_provision: the same for each provision "
                     "(its cells are the participants)",
                     "years", years);
    return ACCORD_OK;
}
