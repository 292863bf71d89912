/* web_init(): everything the pages need, read once per process. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datadir.h"
#include "util/error.h"
#include "util/sha256.h"
#include "web/web.h"
#include "web/web_int.h"

#define MAX_TEMPLATES 32
#define MAX_STYLESHEET (256 * 1024)

typedef struct named_template {
    char name[48];
    web_template *t;
} named_template;

static named_template templates[MAX_TEMPLATES];
static const char *template_names[MAX_TEMPLATES + 1];
static size_t ntemplates;
static buf stylesheet;
static char stylesheet_file[64], stylesheet_path[80];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;
static char init_message[1024];

static int load_templates(void)
{
    char dir[1024];
    int rc = datadir_find("web/templates", dir, sizeof dir);
    if (rc)
        return rc;
    DIR *d = opendir(dir);
    if (!d)
        return accord_fail(ACCORD_EENV, NULL, "cannot read the template directory %s", dir);
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        /* Files starting with '_' are partials, included by the others. */
        if (n < 6 || e->d_name[0] == '_' || e->d_name[0] == '.' || strcmp(e->d_name + n - 5, ".html") != 0)
            continue;
        if (ntemplates == MAX_TEMPLATES || n - 5 >= sizeof templates[0].name) {
            rc = accord_fail(ACCORD_EENV, NULL, "too many templates, or a name too long, in %s", dir);
            break;
        }
        char path[1280];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        buf src;
        buf_init(&src, 512 * 1024);
        rc = buf_append_file(&src, path);
        named_template *nt = &templates[ntemplates];
        snprintf(nt->name, sizeof nt->name, "%.*s", (int)(n - 5), e->d_name);
        if (!rc)
            rc = web_template_compile(nt->name, src.data ? src.data : "", dir, &nt->t);
        buf_free(&src);
        if (!rc) {
            template_names[ntemplates] = nt->name;
            ntemplates++;
        }
    }
    closedir(d);
    return rc;
}

static int load_stylesheet(void)
{
    char path[1024];
    buf_init(&stylesheet, MAX_STYLESHEET);
    int rc = datadir_find("web/accord.css", path, sizeof path);
    if (!rc)
        rc = buf_append_file(&stylesheet, path);
    if (rc)
        return rc;
    /* The name carries the content's hash, so the file can be cached for
     * a year: a changed stylesheet is a new name. */
    uint8_t h[SHA256_SIZE];
    sha256(h, stylesheet.data, stylesheet.len);
    snprintf(stylesheet_file, sizeof stylesheet_file, "accord.%02x%02x%02x%02x%02x%02x.css", h[0], h[1], h[2], h[3],
             h[4], h[5]);
    snprintf(stylesheet_path, sizeof stylesheet_path, "/static/%s", stylesheet_file);
    return ACCORD_OK;
}

static void init_once(void)
{
    init_rc = web_i18n_load();
    if (!init_rc)
        init_rc = web_icu_load();
    if (!init_rc)
        init_rc = load_stylesheet();
    if (!init_rc)
        init_rc = load_templates();
    if (init_rc)
        snprintf(init_message, sizeof init_message, "%s", accord_error_message());
}

int web_init(void)
{
    pthread_once(&once, init_once);
    if (init_rc)
        return accord_fail(init_rc, NULL, "%s", init_message);
    return ACCORD_OK;
}

const web_template *web_template_get(const char *name)
{
    for (size_t i = 0; i < ntemplates; i++)
        if (strcmp(templates[i].name, name) == 0)
            return templates[i].t;
    return NULL;
}

const char *const *web_template_names(void) { return template_names; }

const char *web_stylesheet_path(void) { return stylesheet_path; }

const char *web_stylesheet(const char *file, size_t *len)
{
    if (!stylesheet_file[0] || strcmp(file, stylesheet_file) != 0)
        return NULL;
    *len = stylesheet.len;
    return stylesheet.data;
}
