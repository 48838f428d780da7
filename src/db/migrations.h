/* migrations.h — the embedded, numbered, forward-only schema migrations
   (generated from src/db/migrations/NNNN_*.sql by tools/embed.c). */
#ifndef SALESLOOP_MIGRATIONS_H
#define SALESLOOP_MIGRATIONS_H
typedef struct Migration {
    int number;       /* NNNN from the file name */
    const char *name; /* file name */
    const char *sql;  /* portable SQL with {{id}} tokens */
} Migration;
extern const Migration migrations[];
extern const int migrations_count;
#endif
