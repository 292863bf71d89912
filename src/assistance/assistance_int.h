/* Inside the assistance module: reference codes and shared helpers. */
#ifndef ACCORD_ASSISTANCE_ASSISTANCE_INT_H
#define ACCORD_ASSISTANCE_ASSISTANCE_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "assistance/assistance.h"

/* ---- reference codes (codes.c): read once per process, then read-only */

/* Loads the IATI codelists in data/iati/codelists (DAC 5-digit sectors,
 * UN SDG targets) and Debian iso-codes' ISO 3166-2 subdivisions. Fails
 * ACCORD_EENV naming the file; later calls fail the same way. */
int codes_load(void);
/* English name of DAC 5-digit sector 'code', or NULL when the Sector
 * codelist has no such code. */
const char *codes_sector_name(const char *code);
/* English name of SDG target 'code' ("16.a"), or NULL. */
const char *codes_sdg_name(const char *code);
/* Name of first-level ISO 3166-2 subdivision 'code' ("KZ-ALA"), or NULL. */
const char *codes_subdivision_name(const char *code);
/* Title of pillar 'code' ("1".."4") of the UN Global Counter-Terrorism
 * Strategy, A/RES/60/288, or NULL. */
const char *codes_gcts_name(const char *code);
#define CODES_GCTS_SOURCE_TITLE "The United Nations Global Counter-Terrorism Strategy, A/RES/60/288 (8 September 2006)"
#define CODES_GCTS_SOURCE_URL "https://undocs.org/A/RES/60/288"

/* IATI ActivityStatus code of an activity status (1 pipeline .. 6
 * suspended), or 0. */
int codes_iati_status(const char *status);

/* ---- helpers (apply.c) --------------------------------------------------- */

/* True when 'id' is a record id: 1-64 lowercase letters, digits and
 * dashes (no '/ & | ?', as IATI identifiers require). */
bool assistance_id_valid(const char *id);

#endif
