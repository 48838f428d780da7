/*
** pdf.h — an A4 business document drawn with cairo + pango: a company block,
** a title, label: value pairs in a two-column grid, a table whose header row
** repeats on every page and whose rows never split, totals, an emphasised
** line (the 大写 amount), closing text and "第 1 页 / 共 3 页" on every page.
** The document is plain text already formatted by the caller (print.c for
** one-record documents; a report can fill the same struct). Thread-safe: each
** call has its own cairo and pango objects, and each thread its own font map.
*/
#ifndef SALESLOOP_PDF_H
#define SALESLOOP_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/core.h"

/* One "label: value" pair (header grid, totals, the emphasised line). */
typedef struct PdfPair {
    const char *label; /* shown as is; the renderer adds no colon */
    const char *value; /* may hold "\n"; "" prints an empty cell */
} PdfPair;

/* One column of the table. */
typedef struct PdfColumn {
    const char *label; /* header row text */
    int width;         /* relative width (> 0): columns share the text width in proportion */
    bool right;        /* right-aligned (amounts, quantities) */
} PdfColumn;

/* A whole document. Every string is UTF-8 and outlives the call (the caller's arena). */
typedef struct PdfDoc {
    const char *locale;               /* "zh-CN" | "zh-TW" | "en": font variant and line breaking */
    const char *company;              /* company name over the title, or NULL / "" for none */
    const char *const *company_lines; /* address, phone ... one line each, under the name */
    int ncompany_lines;
    const char *title;     /* the document's title ("报价单") */
    const char *subtitle;  /* running header of later pages (the document number), or NULL */
    const PdfPair *header; /* the grid of label: value pairs, two per row */
    int nheader;
    const PdfColumn *cols; /* the table's columns; ncols 0: no table */
    int ncols;
    const char *const *cells; /* nrows × ncols texts, row by row */
    int nrows;
    const PdfPair *totals; /* under the table, right-aligned */
    int ntotals;
    const PdfPair *emphasis; /* one full-width line after the totals (大写), or NULL */
    const char *footer;      /* closing text (signature lines), "\n" breaks lines; or NULL */
    const char *page_fmt;    /* page label with two %d (page, pages): "第 %d 页 / 共 %d 页" */
    const char *meta_title;  /* the PDF's Title metadata, or NULL */
} PdfDoc;

/*
** Draw d as an A4 PDF. 0 with *out (arena bytes), *len and *pages set, or -1
** (cairo failed; logged). Safe to call on several threads at once.
*/
int pdf_render(Arena *a, const PdfDoc *d, char **out, size_t *len, int *pages);

#endif
