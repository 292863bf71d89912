/* Inside the web module. */
#ifndef ACCORD_WEB_WEB_INT_H
#define ACCORD_WEB_WEB_INT_H

#include "web/web.h"

/* Reads the compiled catalogue (.mo) of every language (i18n.c). */
int web_i18n_load(void);

/* Opens the ICU formatters and collators of every language (icu.c). */
int web_icu_load(void);

/* The index of 'lang' in web_langs(). */
size_t web_lang_index(const web_lang *lang);

#endif
