/* Schema migrations. Each entry moves the schema one version forward and
 * is applied once, in order, inside one transaction by store_migrate().
 * Never edit a released migration: add a new one.
 *
 * Every public table row carries 'seq', the ledger event that wrote it,
 * as a deferred foreign key: a transaction that changes a public table
 * without appending that event to the ledger cannot commit. */
#include <stdio.h>

#include "store/db.h"
#include "util/error.h"

#define EVENT_REF "seq INTEGER NOT NULL REFERENCES event(seq) DEFERRABLE INITIALLY DEFERRED"

static const char *const migrations[] = {
    /* 1: ledger, registry, depositary, accounts */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

    "CREATE TABLE event ("
    "  seq INTEGER PRIMARY KEY,"      /* 0-based leaf index in the log */
    "  type TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  body BLOB NOT NULL,"           /* the exact canonical bytes: the leaf */
    "  leaf_hash BLOB NOT NULL);"
    /* Hash of every perfect subtree: (level, idx) covers leaves
     * [idx * 2^level, (idx + 1) * 2^level). */
    "CREATE TABLE merkle_node ("
    "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
    "  PRIMARY KEY (level, idx)) WITHOUT ROWID;" /* one b-tree lookup per node */

    "CREATE TABLE party ("
    "  code TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('state', 'organization')),"
    "  name TEXT NOT NULL,"
    "  alpha2 TEXT, numeric_code TEXT, founded TEXT,"
    "  source_title TEXT, source_url TEXT, " EVENT_REF ");"
    "CREATE TABLE party_name ("
    "  party TEXT NOT NULL REFERENCES party(code),"
    "  name TEXT NOT NULL, valid_from TEXT NOT NULL,"
    "  source_title TEXT, source_url TEXT, " EVENT_REF ","
    "  PRIMARY KEY (party, valid_from));"

    "CREATE TABLE grp ("
    "  code TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('organization', 'region', 'other')),"
    "  name TEXT NOT NULL,"
    "  party TEXT REFERENCES party(code),"
    "  note TEXT, source_title TEXT, source_url TEXT, " EVENT_REF ");"
    "CREATE TABLE membership ("
    "  id INTEGER PRIMARY KEY,"
    "  grp TEXT NOT NULL REFERENCES grp(code),"
    "  party TEXT NOT NULL REFERENCES party(code),"
    "  role TEXT NOT NULL CHECK (role IN ('member', 'observer')),"
    "  valid_from TEXT NOT NULL, valid_to TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, confidence TEXT NOT NULL, " EVENT_REF ");"
    "CREATE INDEX membership_grp ON membership (grp, valid_from);"
    "CREATE INDEX membership_party ON membership (party);"

    "CREATE TABLE instrument ("
    "  slug TEXT PRIMARY KEY,"
    "  title TEXT NOT NULL, short_title TEXT, nature TEXT,"
    "  opened_on TEXT NOT NULL, place TEXT,"
    "  goal_year INTEGER, goal_text TEXT,"
    "  initiated_by TEXT REFERENCES party(code),"
    "  completeness_note TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, " EVENT_REF ");"
    "CREATE TABLE provision ("
    "  instrument TEXT NOT NULL REFERENCES instrument(slug),"
    "  number INTEGER NOT NULL,"
    "  title TEXT, body TEXT,"
    "  text_status TEXT NOT NULL CHECK (text_status IN ('official', 'paraphrase', 'not_recorded')),"
    "  source_title TEXT, source_url TEXT, " EVENT_REF ","
    "  PRIMARY KEY (instrument, number));"

    "CREATE TABLE action ("
    "  id INTEGER PRIMARY KEY,"
    "  instrument TEXT NOT NULL REFERENCES instrument(slug),"
    "  party TEXT NOT NULL REFERENCES party(code),"
    "  type TEXT NOT NULL CHECK (type IN ('signature', 'endorsement', 'accession', 'ratification',"
    "    'acceptance', 'approval', 'succession', 'withdrawal', 'declaration')),"
    "  date TEXT NOT NULL,"            /* the day, or the bound of 'on or before' */
    "  date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'on_or_before')),"
    "  place TEXT, signer_name TEXT, signer_title TEXT,"
    "  on_behalf_of TEXT REFERENCES party(code),"
    "  note TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, confidence TEXT NOT NULL,"
    "  notification TEXT NOT NULL UNIQUE,"
    "  notification_year INTEGER NOT NULL, notification_n INTEGER NOT NULL,"
    "  notification_text TEXT NOT NULL, " EVENT_REF ","
    "  UNIQUE (instrument, notification_year, notification_n));"
    "CREATE INDEX action_instrument ON action (instrument, date);"
    "CREATE INDEX action_party ON action (party);"

    "CREATE TABLE reported_total ("
    "  id INTEGER PRIMARY KEY,"
    "  instrument TEXT NOT NULL REFERENCES instrument(slug),"
    "  as_of TEXT NOT NULL, qualifier TEXT, count INTEGER NOT NULL, of_what TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, " EVENT_REF ");"
    "CREATE TABLE known_gap ("
    "  id INTEGER PRIMARY KEY,"
    "  instrument TEXT NOT NULL REFERENCES instrument(slug),"
    "  party TEXT NOT NULL REFERENCES party(code),"
    "  why TEXT NOT NULL, source_title TEXT, source_url TEXT, " EVENT_REF ");"

    /* Each row's event is looked up when that event is appended (the
     * deferred foreign key is checked from both sides): without these
     * indexes every append would scan every public table. */
    "CREATE INDEX party_seq ON party (seq);"
    "CREATE INDEX party_name_seq ON party_name (seq);"
    "CREATE INDEX grp_seq ON grp (seq);"
    "CREATE INDEX membership_seq ON membership (seq);"
    "CREATE INDEX instrument_seq ON instrument (seq);"
    "CREATE INDEX provision_seq ON provision (seq);"
    "CREATE INDEX action_seq ON action (seq);"
    "CREATE INDEX reported_total_seq ON reported_total (seq);"
    "CREATE INDEX known_gap_seq ON known_gap (seq);"

    /* Accounts are private operational state, outside the public log. */
    "CREATE TABLE account ("
    "  id TEXT PRIMARY KEY,"           /* opaque, stable: the actor id in events */
    "  email TEXT UNIQUE, display_name TEXT,"
    "  role TEXT NOT NULL, scope TEXT,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE api_token ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES account(id),"
    "  name TEXT NOT NULL,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);",

    /* 2: signed checkpoints and the cosignatures witnesses return */
    "CREATE TABLE checkpoint ("
    "  size INTEGER PRIMARY KEY,"
    "  note TEXT NOT NULL,"              /* the signed note, as served */
    "  signed_at TEXT NOT NULL);"
    "CREATE TABLE cosignature ("
    "  size INTEGER NOT NULL REFERENCES checkpoint(size),"
    "  witness TEXT NOT NULL,"           /* the witness key name */
    "  line TEXT NOT NULL,"              /* its signature line, newline included */
    "  received_at TEXT NOT NULL,"
    "  PRIMARY KEY (size, witness));",

    /* 3: passwords, browser sessions, scoped tokens, the security log and
     * sign-in throttling. All private: none of it is in the public log.
     * Times are RFC 3339 UTC text ("...Z"), which sorts in time order. */
    "ALTER TABLE account ADD COLUMN password_hash TEXT;"   /* crypto_pwhash_str (Argon2id) */
    "ALTER TABLE account ADD COLUMN updated_at TEXT;"
    "ALTER TABLE api_token ADD COLUMN scope TEXT;"         /* no wider than the account's */
    "ALTER TABLE api_token ADD COLUMN last_used_at TEXT;"
    "CREATE INDEX api_token_account ON api_token (account);"
    "CREATE TABLE session ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES account(id),"
    "  token_hash BLOB NOT NULL UNIQUE,"  /* SHA-256 of the cookie value */
    "  csrf_hash BLOB NOT NULL,"          /* SHA-256 of the CSRF token */
    "  client TEXT,"
    "  created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, revoked_at TEXT);"
    "CREATE INDEX session_account ON session (account);"
    /* No foreign key to account: the log outlives what it describes. */
    "CREATE TABLE security_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL, kind TEXT NOT NULL,"
    "  account TEXT, by_account TEXT, client TEXT, detail TEXT);"
    /* One row per sign-in key: "account:<sha256 of the email>" or
     * "address:<client>". */
    "CREATE TABLE login_throttle ("
    "  key TEXT PRIMARY KEY,"
    "  failures INTEGER NOT NULL,"
    "  last_failure_at TEXT NOT NULL,"
    "  locked_until TEXT);",

    /* 4: reporting cycles; restricted entries; report drafts (restricted) */
    "CREATE TABLE cycle ("
    "  instrument TEXT NOT NULL REFERENCES instrument(slug),"
    "  code TEXT NOT NULL, name TEXT NOT NULL,"
    "  opens_on TEXT NOT NULL, due_on TEXT NOT NULL, " EVENT_REF ","
    "  PRIMARY KEY (instrument, code));"
    "CREATE INDEX cycle_seq ON cycle (seq);"
    /* Private: the full bytes and salt behind each public commitment. */
    "CREATE TABLE restricted_entry ("
    "  seq INTEGER PRIMARY KEY REFERENCES event(seq) DEFERRABLE INITIALLY DEFERRED,"
    "  salt BLOB NOT NULL, body BLOB NOT NULL);"
    /* Private: drafts, one row per version. */
    "CREATE TABLE report_draft ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL REFERENCES party(code),"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  status TEXT NOT NULL, content TEXT NOT NULL, " EVENT_REF ","
    "  PRIMARY KEY (instrument, cycle, party, provision, version),"
    "  FOREIGN KEY (instrument, cycle) REFERENCES cycle(instrument, code));"
    "CREATE INDEX report_draft_seq ON report_draft (seq);",

    /* 5: submissions (public facts) and released reports (public) */
    "CREATE TABLE submission ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL,"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  " EVENT_REF ","                   /* the time is that of its log entry */
    "  PRIMARY KEY (instrument, cycle, party, provision, version),"
    "  FOREIGN KEY (instrument, cycle) REFERENCES cycle(instrument, code));"
    "CREATE INDEX submission_seq ON submission (seq);"
    "CREATE TABLE report ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL REFERENCES party(code),"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  status TEXT NOT NULL, content TEXT NOT NULL, " EVENT_REF ","
    "  PRIMARY KEY (instrument, cycle, party, provision, version),"
    "  FOREIGN KEY (instrument, cycle) REFERENCES cycle(instrument, code));"
    "CREATE INDEX report_seq ON report (seq);",

    /* 6: reviews: returns (public fact) and ratings (public, with history) */
    "CREATE TABLE review ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL,"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  outcome TEXT NOT NULL CHECK (outcome IN ('returned', 'rated')), " EVENT_REF ");"
    "CREATE INDEX review_report ON review (instrument, cycle, party, provision, version);"
    "CREATE INDEX review_seq ON review (seq);"
    "CREATE TABLE rating ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL REFERENCES party(code),"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  rating TEXT NOT NULL CHECK (rating IN ('implemented', 'largely_implemented', 'partly_implemented',"
    "    'not_implemented')),"
    "  rationale TEXT NOT NULL, " EVENT_REF ");"
    "CREATE INDEX rating_report ON rating (instrument, cycle, party, provision);"
    "CREATE INDEX rating_seq ON rating (seq);",

    /* 7: attachments: the file store (private), each party's uploads
     * (private) and the files of released reports (public) */
    /* Private: the bytes, once per content. */
    "CREATE TABLE attachment_blob ("
    "  sha256 TEXT PRIMARY KEY,"            /* lowercase hex SHA-256 of the bytes */
    "  media_type TEXT NOT NULL, size INTEGER NOT NULL, bytes BLOB NOT NULL);"
    /* Private: who uploaded which file, one row per attachment.stored. */
    "CREATE TABLE report_upload ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL REFERENCES party(code),"
    "  sha256 TEXT NOT NULL REFERENCES attachment_blob(sha256), name TEXT NOT NULL, " EVENT_REF ","
    "  FOREIGN KEY (instrument, cycle) REFERENCES cycle(instrument, code));"
    "CREATE INDEX report_upload_party ON report_upload (party, sha256);"
    "CREATE INDEX report_upload_seq ON report_upload (seq);"
    /* Public: the attachments of each released report, from its event. No
     * reference to attachment_blob: a replayed copy has the hashes only. */
    "CREATE TABLE report_attachment ("
    "  instrument TEXT NOT NULL, cycle TEXT NOT NULL, party TEXT NOT NULL,"
    "  provision INTEGER NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL, " EVENT_REF ","
    "  PRIMARY KEY (instrument, cycle, party, provision, version, position),"
    "  FOREIGN KEY (instrument, cycle, party, provision, version)"
    "    REFERENCES report(instrument, cycle, party, provision, version));"
    "CREATE INDEX report_attachment_sha256 ON report_attachment (sha256);"
    "CREATE INDEX report_attachment_seq ON report_attachment (seq);",
    /* 8: the implementation matrix's latest cells. Per instrument, party
     * and provision, the latest rating and released self-assessment in
     * each cycle ('scope' its code) and in any cycle (scope '*'), kept by
     * the report.rated and report.released appliers, so that the matrix
     * as at today reads one row per cell instead of every rating ever
     * made. event_at tells whether the log holds anything after a date
     * (otherwise the matrix as at that date reads the history). Filled
     * here from the ratings and reports already recorded. */
    "CREATE TABLE latest_cell ("
    "  instrument TEXT NOT NULL, scope TEXT NOT NULL, party TEXT NOT NULL, provision INTEGER NOT NULL,"
    "  rating TEXT, rating_seq INTEGER, status TEXT, status_seq INTEGER,"
    "  " EVENT_REF ","                   /* the latest entry that changed the row */
    "  PRIMARY KEY (instrument, scope, party, provision)) WITHOUT ROWID;"
    "CREATE INDEX latest_cell_seq ON latest_cell (seq);"
    "CREATE INDEX event_at ON event (at);"
    "INSERT INTO latest_cell (instrument, scope, party, provision, rating, rating_seq, seq)"
    " SELECT instrument, scope, party, provision, rating, seq, seq FROM ("
    "  SELECT instrument, cycle AS scope, party, provision, rating, seq, row_number() OVER ("
    "   PARTITION BY instrument, cycle, party, provision ORDER BY seq DESC) AS n FROM rating"
    "  UNION ALL"
    "  SELECT instrument, '*', party, provision, rating, seq, row_number() OVER ("
    "   PARTITION BY instrument, party, provision ORDER BY seq DESC) FROM rating)"
    " WHERE n = 1;"
    "INSERT INTO latest_cell (instrument, scope, party, provision, status, status_seq, seq)"
    " SELECT instrument, scope, party, provision, status, seq, seq FROM ("
    "  SELECT instrument, cycle AS scope, party, provision, status, seq, row_number() OVER ("
    "   PARTITION BY instrument, cycle, party, provision ORDER BY seq DESC) AS n FROM report"
    "  UNION ALL"
    "  SELECT instrument, '*', party, provision, status, seq, row_number() OVER ("
    "   PARTITION BY instrument, party, provision ORDER BY seq DESC) FROM report)"
    " WHERE n = 1"
    " ON CONFLICT (instrument, scope, party, provision) DO UPDATE SET status = excluded.status,"
    "  status_seq = excluded.status_seq, seq = max(seq, excluded.seq);",

    /* 9: CHECK constraints without IN lists, and the Merkle tree in tiles.
     *
     * SQLite evaluates "x IN (a, b, c, ...)" of more than two constants by
     * building a temporary b-tree of the list each time a statement runs:
     * for an action, about 40 % of the INSERT's cost. The same tests
     * written with OR change no stored row, so only the schema text
     * changes, as SQLite's ALTER TABLE page describes for constraints;
     * RESET turns schema writing off and makes this connection read the
     * schema again, and the CREATE TABLE below changes the schema version
     * for other connections. A text that differs is left as it is. */
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_master SET sql = replace(sql,"
    "  'CHECK (kind IN (''organization'', ''region'', ''other''))',"
    "  'CHECK (kind = ''organization'' OR kind = ''region'' OR kind = ''other'')')"
    " WHERE type = 'table' AND name = 'grp';"
    "UPDATE sqlite_master SET sql = replace(sql,"
    "  'CHECK (text_status IN (''official'', ''paraphrase'', ''not_recorded''))',"
    "  'CHECK (text_status = ''official'' OR text_status = ''paraphrase'' OR text_status = ''not_recorded'')')"
    " WHERE type = 'table' AND name = 'provision';"
    "UPDATE sqlite_master SET sql = replace(sql,"
    "  'CHECK (type IN (''signature'', ''endorsement'', ''accession'', ''ratification'',    ''acceptance'','"
    "  || ' ''approval'', ''succession'', ''withdrawal'', ''declaration''))',"
    "  'CHECK (type = ''signature'' OR type = ''endorsement'' OR type = ''accession'' OR type = ''ratification''"
    " OR type = ''acceptance'' OR type = ''approval'' OR type = ''succession'' OR type = ''withdrawal''"
    " OR type = ''declaration'')')"
    " WHERE type = 'table' AND name = 'action';"
    "UPDATE sqlite_master SET sql = replace(sql,"
    "  'CHECK (rating IN (''implemented'', ''largely_implemented'', ''partly_implemented'',    ''not_implemented''))',"
    "  'CHECK (rating = ''implemented'' OR rating = ''largely_implemented'' OR rating = ''partly_implemented''"
    " OR rating = ''not_implemented'')')"
    " WHERE type = 'table' AND name = 'rating';"
    "PRAGMA writable_schema = RESET;"

    /* The Merkle tree stored in tiles. A complete tile (L, N) holds,
     * level-major, the hashes of the 8 tree levels 8L..8L+7 under its
     * 256 nodes of level 8L: 256 + 128 + ... + 2 = 510 hashes, the first
     * 256 being the C2SP hash tile itself. The key is L << 56 | N. Only
     * nodes of tiles not yet complete (the right edge) stay rows of
     * merkle_node. Tile (L, N) is complete exactly when node (8L + 8, N)
     * exists; blob_assemble places each hash at its offset. */
    "CREATE TABLE merkle_tile (tile INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "INSERT INTO merkle_tile (tile, hashes)"
    "  SELECT ((n.level / 8) << 56) + (n.idx >> (8 - n.level % 8)) AS t,"
    "         blob_assemble(32 * (512 - (512 >> (n.level % 8)) + (n.idx & ((256 >> (n.level % 8)) - 1))), n.hash)"
    "  FROM merkle_node n"
    "  WHERE EXISTS (SELECT 1 FROM merkle_node p"
    "                WHERE p.level = n.level / 8 * 8 + 8 AND p.idx = n.idx >> (8 - n.level % 8))"
    "  GROUP BY t HAVING count(*) = 510;"
    "DELETE FROM merkle_node WHERE ((level / 8) << 56) + (idx >> (8 - level % 8)) IN (SELECT tile FROM merkle_tile);",

    /* 10: each complete tile as four quarters of one page and a cap. A
     * row of merkle_tile (16,320 bytes) spills onto three overflow pages,
     * which SQLite reads on every access and never caches. Keyed
     * (L << 56 | N) << 2 | q, merkle_quarter holds the 6 lowest levels
     * under bottom nodes 64q..64q+63, level-major (126 hashes; level k at
     * 128 - (128 >> k)); merkle_cap, keyed L << 56 | N, the top two levels
     * (4 + 2 hashes: the last 6 of the old row). The pieces are cut with
     * substr and placed with blob_assemble, and merkle_tile is dropped.
     * For a while migration 9 made quarters and caps itself: on a
     * database migrated then, the empty merkle_tile made here converts
     * nothing. */
    "CREATE TABLE IF NOT EXISTS merkle_quarter (part INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS merkle_cap (tile INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS merkle_tile (tile INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "INSERT INTO merkle_quarter (part, hashes)"
    "  SELECT (t.tile << 2) + q.q,"
    "         blob_assemble(32 * (128 - (128 >> k.k)),"
    "                       substr(t.hashes, 1 + 32 * (512 - (512 >> k.k) + q.q * (64 >> k.k)), 32 * (64 >> k.k)))"
    "  FROM merkle_tile t,"
    "       (SELECT 0 AS q UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) q,"
    "       (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
    "        UNION ALL SELECT 5) k"
    "  GROUP BY t.tile, q.q;"
    "INSERT INTO merkle_cap (tile, hashes) SELECT tile, substr(hashes, 1 + 32 * 504, 32 * 6) FROM merkle_tile;"
    "DROP TABLE merkle_tile;",

    /* 11: parties of kind 'territory'. ISO 3166-1 lists territories that
     * are not states (Antarctica, Greenland, Puerto Rico ...): an entry is
     * a state when the UN lists it as a Member State or non-member
     * observer State (data/un-membership.json), else a territory. The
     * CHECK is rewritten in place as migration 9 does (no row changes);
     * the kind's source gets its own columns. Rows keep the kind their
     * events gave them, so replaying an older log rebuilds them as they
     * are; party.classified events correct an older database's kinds. */
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_master SET sql = replace(sql,"
    "  'CHECK (kind IN (''state'', ''organization''))',"
    "  'CHECK (kind = ''state'' OR kind = ''territory'' OR kind = ''organization'')')"
    " WHERE type = 'table' AND name = 'party';"
    "PRAGMA writable_schema = RESET;"
    "ALTER TABLE party ADD COLUMN kind_source_title TEXT;"
    "ALTER TABLE party ADD COLUMN kind_source_url TEXT;"
    "CREATE INDEX party_kind ON party (kind, code);",

    /* 12: capacity-building and coordination (src/assistance/): entities
     * and their offices, framework links of provisions, needs (public;
     * a non-public need is a stub here, its content in the private
     * need_private), offers, activities and meetings. Tag lists are JSON
     * arrays. */
    "CREATE TABLE entity ("
    "  code TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind = 'un' OR kind = 'organization' OR kind = 'state' OR kind = 'donor'),"
    "  name TEXT NOT NULL, party TEXT REFERENCES party(code), org_type TEXT,"
    "  compact_member INTEGER, compact_source_title TEXT, compact_source_url TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX entity_seq ON entity (seq);"
    "CREATE TABLE office ("
    "  code TEXT PRIMARY KEY, entity TEXT NOT NULL REFERENCES entity(code),"
    "  kind TEXT NOT NULL CHECK (kind = 'headquarters' OR kind = 'field'),"
    "  name TEXT NOT NULL, country TEXT NOT NULL REFERENCES party(code), subdivision TEXT,"
    "  covers TEXT NOT NULL, source_title TEXT NOT NULL, source_url TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX office_entity ON office (entity);"
    "CREATE INDEX office_seq ON office (seq);"
    "CREATE TABLE framework_link ("
    "  instrument TEXT NOT NULL, provision INTEGER NOT NULL,"
    "  framework TEXT NOT NULL, code TEXT NOT NULL,"
    "  source_title TEXT NOT NULL, source_url TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ","
    "  PRIMARY KEY (instrument, provision, framework, code),"
    "  FOREIGN KEY (instrument, provision) REFERENCES provision(instrument, number));"
    "CREATE INDEX framework_link_code ON framework_link (framework, code);"
    "CREATE INDEX framework_link_seq ON framework_link (seq);"
    "CREATE TABLE need ("
    "  id TEXT PRIMARY KEY, access TEXT NOT NULL,"
    "  beneficiary TEXT REFERENCES party(code), title TEXT, body TEXT, instrument TEXT, provisions TEXT,"
    "  thematic TEXT, sdg TEXT, gcts TEXT, unsc TEXT, priority TEXT, languages TEXT,"
    "  period_from TEXT, period_to TEXT, origin TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX need_beneficiary ON need (beneficiary);"
    "CREATE INDEX need_seq ON need (seq);"
    /* Private: the content of needs at the providers and restricted levels. */
    "CREATE TABLE need_private ("
    "  id TEXT PRIMARY KEY, access TEXT NOT NULL,"
    "  beneficiary TEXT NOT NULL REFERENCES party(code), title TEXT, body TEXT, instrument TEXT, provisions TEXT,"
    "  thematic TEXT, sdg TEXT, gcts TEXT, unsc TEXT, priority TEXT, languages TEXT,"
    "  period_from TEXT, period_to TEXT, origin TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX need_private_seq ON need_private (seq);"
    "CREATE TABLE offer ("
    "  id TEXT PRIMARY KEY, provider TEXT NOT NULL REFERENCES entity(code), title TEXT NOT NULL, body TEXT,"
    "  instrument TEXT, provisions TEXT, thematic TEXT, sdg TEXT, gcts TEXT, unsc TEXT,"
    "  countries TEXT, regions TEXT, modalities TEXT, languages TEXT, period_from TEXT, period_to TEXT,"
    "  budget INTEGER, currency TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX offer_seq ON offer (seq);"
    "CREATE TABLE activity ("
    "  id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT,"
    "  implementing TEXT NOT NULL, programming TEXT, funder TEXT,"
    "  country TEXT NOT NULL REFERENCES party(code), subdivision TEXT,"
    "  instrument TEXT, provisions TEXT, thematic TEXT NOT NULL, sdg TEXT, gcts TEXT, unsc TEXT,"
    "  status TEXT NOT NULL, planned_start TEXT NOT NULL, planned_end TEXT, actual_start TEXT, actual_end TEXT,"
    "  needs TEXT NOT NULL, offer TEXT, meeting TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX activity_country ON activity (country);"
    "CREATE INDEX activity_seq ON activity (seq);"
    "CREATE TABLE meeting ("
    "  id TEXT PRIMARY KEY, date TEXT NOT NULL, date_precision TEXT NOT NULL, title TEXT NOT NULL, place TEXT,"
    "  organizer TEXT, instruments TEXT NOT NULL, participants TEXT NOT NULL, note TEXT,"
    "  source_title TEXT NOT NULL, source_url TEXT, synthetic INTEGER NOT NULL, " EVENT_REF ");"
    "CREATE INDEX meeting_seq ON meeting (seq);"
    /* An action may name the event (meeting, ceremony) it happened at. */
    "ALTER TABLE action ADD COLUMN event TEXT REFERENCES meeting(id);",
};

#define MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_target(void) { return MIGRATIONS; }

int store_schema_version(store *db, int *out)
{
    store_stmt *st;
    *out = 0;
    int rc = store_query(db, &st, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'", "");
    if (rc)
        return rc;
    bool exists = store_step(st) == STORE_ROW && store_col_int(st, 0) > 0;
    store_stmt_close(st);
    if (!exists)
        return ACCORD_OK;
    rc = store_query(db, &st, "SELECT max(version) FROM schema_version", "");
    if (rc)
        return rc;
    if (store_step(st) == STORE_ROW)
        *out = (int)store_col_int(st, 0);
    store_stmt_close(st);
    return ACCORD_OK;
}

int store_migrate(store *db) { return store_migrate_to(db, MIGRATIONS); }

int store_migrate_to(store *db, int target)
{
    int version = 0; /* read by the loop below even when an earlier step failed */
    if (target < 0 || target > MIGRATIONS)
        return accord_fail(ACCORD_EINVAL, NULL, "no schema version %d (this program knows 1 to %d)", target,
                           MIGRATIONS);
    int rc = store_begin(db);
    if (!rc)
        rc = store_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    if (!rc)
        rc = store_schema_version(db, &version);
    if (!rc && version > MIGRATIONS)
        rc = accord_fail(ACCORD_EENV, NULL, "database schema %d is newer than this program (%d)", version, MIGRATIONS);
    for (int v = version; !rc && v < target; v++) {
        rc = store_exec(db, migrations[v]);
        if (!rc)
            rc = store_run(db, "INSERT INTO schema_version (version, applied_at) VALUES (?, CURRENT_TIMESTAMP)", "i",
                           (int64_t)(v + 1));
    }
    if (!rc)
        rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

int store_check_schema(store *db)
{
    int version;
    int rc = store_schema_version(db, &version);
    if (rc)
        return rc;
    if (version == 0)
        return accord_fail(ACCORD_EENV, NULL, "the database has no accord schema (run 'accord init')");
    if (version > MIGRATIONS)
        return accord_fail(ACCORD_EENV, NULL, "database schema %d is newer than this program (%d)", version, MIGRATIONS);
    /* A database made by an earlier version is brought forward, in one
     * transaction: migrations only add. */
    return version < MIGRATIONS ? store_migrate(db) : ACCORD_OK;
}
