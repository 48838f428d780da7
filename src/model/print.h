/*
** print.h — one-record documents (issue 9 mechanism 6): an entity's declared
** PrintLayout (entity.h) resolved for one row into the text the browser's print
** view shows (GET /api/v1/E/:id/print) and the PDF draws (GET .../print.pdf).
** The formatting helpers are pure, for unit tests and for reports.
*/
#ifndef SALESLOOP_PRINT_H
#define SALESLOOP_PRINT_H

#include "entity.h"

/* "¥1,234.56", "-¥0.05": fen as printed on documents. An arena string. */
char *print_money(Arena *a, int64_t fen);
/* "1,234.5", "3", "0.125": a quantity in thousandths, up to 3 decimals, trailing zeros
   dropped. An arena string. */
char *print_qty(Arena *a, int64_t milli);
/* "13%", "12.5%", "0.25%": basis points as a percentage. An arena string. */
char *print_percent(Arena *a, int64_t bp);
/* 大写 of fen (money_upper); in zh-TW with the traditional capitals 貳 參 陸 萬 億 負. */
char *print_upper(Arena *a, int64_t fen, const char *locale);
/* Content-Disposition for a download called name + ".pdf": an ASCII filename= (other bytes
   become '_') and the exact UTF-8 name as filename*= (RFC 6266 / 5987). An arena string. */
char *print_disposition(Arena *a, const char *name);

/* GET /api/v1/:entity/:id/print and /print.pdf, and the company settings they show. */
void print_routes_register(void);

#endif
