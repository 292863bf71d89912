/* Inside the depositary module: shared between its files only. */
#ifndef ACCORD_DEPOSITARY_INT_H
#define ACCORD_DEPOSITARY_INT_H

#include <stdbool.h>

/* True for action types that make a party a participant. */
bool depositary_type_joins(const char *type);

#endif
