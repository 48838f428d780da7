/*
** import.h — reading spreadsheet files into a table of text cells, the
** first half of the import of declared entities (R-INT-2). import_csv.c reads
** CSV (RFC 4180, any of , ; TAB, UTF-8 / UTF-16 / GB18030), import_xlsx.c
** reads the first worksheet of an XLSX workbook; import.c maps the columns
** to fields and creates the rows. The parsers know nothing of entities.
*/
#ifndef SALESLOOP_IMPORT_H
#define SALESLOOP_IMPORT_H

#include "../core/core.h"

/* What a cell held in the file, which decides how a field reads it. */
typedef enum {
    CELL_TEXT,   /* text as written (every CSV cell, XLSX strings) */
    CELL_NUMBER, /* XLSX number, the XML text exactly as stored ("1234.5", "1E-3") */
    CELL_DATE,   /* XLSX number in a date-formatted cell, already "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" */
    CELL_BOOL,   /* XLSX boolean, "1" or "0" */
    CELL_PERCENT /* XLSX number in a percent-formatted cell (0.125 shown as 12.5 %) */
} CellKind;

typedef struct ImpCell {
    const char *s; /* NUL-terminated UTF-8, in the table's arena; never NULL ("" when empty) */
    CellKind kind;
} ImpCell;

/* One non-empty row of the file. */
typedef struct ImpRow {
    int line;   /* row number as a spreadsheet shows it: CSV record number, XLSX row r="N" (1-based) */
    int n;      /* cells in c (trailing empty cells may be missing) */
    ImpCell *c; /* arena array */
} ImpRow;

/* The rows of a file: rows[0] is the header row. Rows with no text at all are left out. */
typedef struct ImpTable {
    Arena *a;     /* owns every cell string; not owned by the table */
    ImpRow *rows; /* xrealloc'd, freed by imp_table_free */
    int nrows, cap;
    int maxcols;          /* widest row */
    char sep;             /* CSV: the separator found (',' ';' '\t'); XLSX: 0 */
    const char *encoding; /* "UTF-8", "UTF-16", "GB18030" (CSV), "XLSX" */
    ImpCell *scratch;     /* cells of the row being built (xrealloc'd), copied to the arena at its end */
    int scratch_cap;
    int cur_line, cur_n; /* the row being built: its number and cells used */
} ImpTable;

/* Limits that keep a hostile file from costing unbounded memory or time. */
#define IMP_MAX_COLS 512         /* columns per row */
#define IMP_MAX_CELL (64 * 1024) /* bytes per cell */
#define IMP_MAX_XML (512u << 20) /* uncompressed bytes of one XLSX part (zip bombs) */

void imp_table_init(ImpTable *t, Arena *a);
void imp_table_free(ImpTable *t); /* frees rows; the cell strings go with the arena */

/*
** Parse a CSV file (the whole file in data[0..n)): BOM stripped, UTF-16 and
** GB18030/GBK converted to UTF-8, separator detected from the first record,
** quotes, doubled quotes, CRLF/LF/CR and newlines inside quotes. 0 ok, or -1
** with e = 400 import.bad_file naming the line ("line 12: unterminated quote").
*/
int import_csv_parse(ImpTable *t, const char *data, size_t n, Err *e);

/*
** Parse the first worksheet of an XLSX file: shared strings, inline strings,
** numbers as their XML text (never through a double), booleans, and date
** serials of date-formatted cells as "YYYY-MM-DD". 0 ok, or -1 with
** e = 400 import.bad_file (not a zip, missing part, malformed XML, too big).
*/
int import_xlsx_parse(ImpTable *t, const char *data, size_t n, Err *e);

/*
** An Excel date serial (the number's text, e.g. "45292" or "45292.5") as
** "YYYY-MM-DD" (with_time false) or "YYYY-MM-DD HH:MM:SS" into out[20].
** Integer arithmetic; serials below 61 keep Excel's 1900 leap-year bug
** (serial 60 is the fictional 1900-02-29, answered as 1900-02-28). 0 ok, -1 not a serial.
*/
int excel_serial_date(const char *s, bool with_time, char out[20]);

/* The parsers' row builder: start a row numbered line, set cell col (0-based;
   -1 when a cell is beyond IMP_MAX_COLS), end it (kept when any cell is non-empty). */
void imp_row_begin(ImpTable *t, int line);
int imp_row_add(ImpTable *t, int col, const char *s, size_t len, CellKind kind);
void imp_row_end(ImpTable *t);

#endif
