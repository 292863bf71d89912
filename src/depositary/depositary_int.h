/* Inside the depositary module: shared between its files only. */
#ifndef ACCORD_DEPOSITARY_INT_H
#define ACCORD_DEPOSITARY_INT_H

#include <stdbool.h>

/* True for action types that make a party a participant. */
bool depositary_type_joins(const char *type);

/* SQL list of the action types that decide participation: those that
 * join (as depositary_type_joins()) and withdrawal. */
#define DEPOSITARY_DECIDING_TYPES \
    "'signature', 'accession', 'ratification', 'acceptance', 'approval', 'succession', 'withdrawal'"

#endif
