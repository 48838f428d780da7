/*
** pdf.c — draws a PdfDoc (pdf.h) on A4 pages with cairo and pango: Chinese
** shaped and wrapped inside its cell, the table's header row repeated on every
** page, rows never split across pages, "第 1 页 / 共 3 页" in every footer.
**
** Two passes over the same layout code: the first only measures (no cairo
** context) to learn the page count, the second draws onto a PDF surface that
** streams into the caller's arena. Both passes shape with one PangoContext, so
** they break pages at the same places.
**
** Threads: cairo and pango objects live for one call. Pango's default font map
** is per thread (pango >= 1.32.6), so each worker thread shapes with its own;
** fontconfig's one-time initialisation is done once, under pthread_once, before
** any thread first loads a font.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "pdf.h"

/* A4 in points, and the page's margins and furniture. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN_X 42.5 /* 15 mm left and right */
#define MARGIN_TOP 40.0
#define MARGIN_BOTTOM 52.0 /* room for the page number */
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define PAD_X 4.0 /* cell padding */
#define PAD_Y 3.0
#define LABEL_SHADE 0.93 /* grey of label cells and the table's header row */

/* Font sizes in points. */
#define FS_COMPANY 14.0
#define FS_COMPANY_LINE 8.5
#define FS_TITLE 18.0
#define FS_TEXT 9.5
#define FS_TABLE 9.0
#define FS_SMALL 8.0

/* One pass over the document: measuring (cr NULL) or drawing. */
typedef struct Pdf {
    const PdfDoc *d;
    cairo_t *cr;          /* NULL while measuring */
    PangoContext *pc;     /* shapes both passes (owned here) */
    const char *families; /* font family list, "Noto Sans CJK SC,...": first found wins */
    double y;             /* top of the next block on the current page */
    int page;             /* current page, from 1 */
    int pages;            /* page count (known in the drawing pass; 0 while measuring) */
    double colw[64];      /* table column widths in points */
    int ncols;            /* columns drawn (d->ncols, at most 64) */
} Pdf;

/* ---------------------------------------------------------------- fonts */

static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;

/* Load one font through a throw-away font map, so fontconfig and cairo's font
   caches are initialised by one thread before any other uses them. */
static void fonts_init(void) {
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *pc = pango_font_map_create_context(fm);
    PangoFontDescription *fd = pango_font_description_from_string("Noto Sans CJK SC 10");
    PangoFont *f = pango_font_map_load_font(fm, pc, fd);
    if (f) g_object_unref(f);
    pango_font_description_free(fd);
    g_object_unref(pc);
    g_object_unref(fm);
}

/* A layout of text at size points, wrapped at width points (<= 0: one line per "\n").
   The caller unrefs it. */
static PangoLayout *text_layout(Pdf *p, const char *text, double size, bool bold, double width, PangoAlignment align) {
    PangoLayout *l = pango_layout_new(p->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, p->families);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR); /* words, and inside a word too long for the cell */
    }
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

/* Height of a layout in points. */
static double layout_h(PangoLayout *l) {
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* Draw l with its top-left corner at x, y (drawing pass only). */
static void show(Pdf *p, PangoLayout *l, double x, double y, double grey) {
    if (!p->cr) return;
    cairo_set_source_rgb(p->cr, grey, grey, grey);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* A cell's rectangle: filled with shade (< 0: none), then outlined. */
static void cell_rect(Pdf *p, double x, double y, double w, double h, double shade) {
    if (!p->cr) return;
    cairo_rectangle(p->cr, x, y, w, h);
    if (shade >= 0) {
        cairo_set_source_rgb(p->cr, shade, shade, shade);
        cairo_fill_preserve(p->cr);
    }
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    cairo_set_line_width(p->cr, 0.6);
    cairo_stroke(p->cr);
}

/* ---------------------------------------------------------------- pages */

/* Bottom of the page's text area. */
static double page_bottom(void) { return PAGE_H - MARGIN_BOTTOM; }

/* Finish the current page: its page number, then the page itself. */
static void page_end(Pdf *p) {
    if (!p->cr) return;
    char label[96];
    snprintf(label, sizeof label, p->d->page_fmt ? p->d->page_fmt : "%d / %d", p->page, p->pages);
    PangoLayout *l = text_layout(p, label, FS_SMALL, false, CONTENT_W, PANGO_ALIGN_CENTER);
    show(p, l, MARGIN_X, PAGE_H - MARGIN_BOTTOM + 18, 0.25);
    g_object_unref(l);
    cairo_show_page(p->cr);
}

/* Start page 2, 3 ...: a small running header (company · title · number). */
static void page_next(Pdf *p) {
    page_end(p);
    p->page++;
    p->y = MARGIN_TOP;
    char run[512];
    snprintf(run, sizeof run, "%s%s%s%s%s", p->d->company && *p->d->company ? p->d->company : "",
             p->d->company && *p->d->company ? "  ·  " : "", p->d->title ? p->d->title : "",
             p->d->subtitle ? "  ·  " : "", p->d->subtitle ? p->d->subtitle : "");
    PangoLayout *l = text_layout(p, run, FS_SMALL, false, CONTENT_W, PANGO_ALIGN_LEFT);
    show(p, l, MARGIN_X, p->y, 0.35);
    p->y += layout_h(l) + 8;
    g_object_unref(l);
}

/* ---------------------------------------------------------------- blocks */

/* The first page's head: company name and lines, the title with a double rule. */
static void head_block(Pdf *p) {
    const PdfDoc *d = p->d;
    if (d->company && *d->company) {
        PangoLayout *l = text_layout(p, d->company, FS_COMPANY, true, CONTENT_W, PANGO_ALIGN_CENTER);
        show(p, l, MARGIN_X, p->y, 0);
        p->y += layout_h(l) + 2;
        g_object_unref(l);
    }
    for (int i = 0; i < d->ncompany_lines; i++) {
        PangoLayout *l = text_layout(p, d->company_lines[i], FS_COMPANY_LINE, false, CONTENT_W, PANGO_ALIGN_CENTER);
        show(p, l, MARGIN_X, p->y, 0.25);
        p->y += layout_h(l);
        g_object_unref(l);
    }
    p->y += 10;
    PangoLayout *t = text_layout(p, d->title ? d->title : "", FS_TITLE, true, CONTENT_W, PANGO_ALIGN_CENTER);
    show(p, t, MARGIN_X, p->y, 0);
    p->y += layout_h(t) + 2;
    if (p->cr) { /* a double rule under the title, as on printed business forms */
        PangoRectangle ink, logical;
        pango_layout_get_pixel_extents(t, &ink, &logical);
        double w = logical.width + 24, x = MARGIN_X + (CONTENT_W - w) / 2;
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        cairo_set_line_width(p->cr, 0.8);
        cairo_move_to(p->cr, x, p->y);
        cairo_line_to(p->cr, x + w, p->y);
        cairo_move_to(p->cr, x, p->y + 2.5);
        cairo_line_to(p->cr, x + w, p->y + 2.5);
        cairo_stroke(p->cr);
    }
    p->y += 14;
    g_object_unref(t);
}

/* The header grid: label | value | label | value, as many rows as pairs need. */
static void grid_block(Pdf *p) {
    const PdfDoc *d = p->d;
    const double lw = CONTENT_W * 0.14, vw = CONTENT_W * 0.36;
    for (int i = 0; i < d->nheader; i += 2) {
        PangoLayout *l[4] = {NULL, NULL, NULL, NULL};
        double h = 0;
        for (int k = 0; k < 2 && i + k < d->nheader; k++) {
            l[2 * k] = text_layout(p, d->header[i + k].label, FS_TEXT, false, lw - 2 * PAD_X, PANGO_ALIGN_LEFT);
            l[2 * k + 1] = text_layout(p, d->header[i + k].value, FS_TEXT, false, vw - 2 * PAD_X, PANGO_ALIGN_LEFT);
        }
        for (int k = 0; k < 4; k++)
            if (l[k] && layout_h(l[k]) > h) h = layout_h(l[k]);
        h += 2 * PAD_Y;
        if (p->y + h > page_bottom()) page_next(p);
        double x = MARGIN_X;
        for (int k = 0; k < 4; k++) {
            double w = k % 2 ? vw : lw;
            cell_rect(p, x, p->y, w, h, k % 2 ? -1 : LABEL_SHADE);
            if (l[k]) {
                show(p, l[k], x + PAD_X, p->y + PAD_Y, k % 2 ? 0 : 0.2);
                g_object_unref(l[k]);
            }
            x += w;
        }
        p->y += h;
    }
    if (d->nheader) p->y += 10;
}

/* One table row (the header row when cells is NULL): height, or drawn at p->y. */
static double table_row(Pdf *p, const char *const *cells, bool draw) {
    const PdfDoc *d = p->d;
    PangoLayout *l[64];
    double h = 0;
    for (int c = 0; c < p->ncols; c++) {
        const char *text = cells ? cells[c] : d->cols[c].label;
        PangoAlignment al = d->cols[c].right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
        if (!cells) al = PANGO_ALIGN_CENTER;
        l[c] = text_layout(p, text, FS_TABLE, !cells, p->colw[c] - 2 * PAD_X, al);
        if (layout_h(l[c]) > h) h = layout_h(l[c]);
    }
    h += 2 * PAD_Y;
    double x = MARGIN_X;
    for (int c = 0; c < p->ncols; c++) {
        if (draw) {
            cell_rect(p, x, p->y, p->colw[c], h, cells ? -1 : LABEL_SHADE);
            show(p, l[c], x + PAD_X, p->y + PAD_Y, 0);
        }
        g_object_unref(l[c]);
        x += p->colw[c];
    }
    return h;
}

/* The table: header row, then rows; a row that does not fit goes to the next page,
   which starts with the header row again. */
static void table_block(Pdf *p) {
    const PdfDoc *d = p->d;
    if (!p->ncols) return;
    double hh = table_row(p, NULL, false);
    if (p->y + hh > page_bottom()) page_next(p);
    table_row(p, NULL, true);
    p->y += hh;
    for (int r = 0; r < d->nrows; r++) {
        const char *const *cells = d->cells + (size_t)r * (size_t)d->ncols;
        double h = table_row(p, cells, false);
        if (p->y + h > page_bottom()) { /* never split a row: it moves whole to the next page */
            page_next(p);
            table_row(p, NULL, true);
            p->y += hh;
        }
        table_row(p, cells, true);
        p->y += h;
    }
}

/* Totals (right-aligned label | value rows), the emphasised line and the closing text:
   measured, then drawn, kept together on one page. Returns the height. */
static double end_block(Pdf *p, bool draw) {
    const PdfDoc *d = p->d;
    const double tw = CONTENT_W * 0.46, x0 = MARGIN_X + CONTENT_W - tw;
    double y = p->y + (p->ncols ? 6 : 0), top = p->y;
    for (int i = 0; i < d->ntotals; i++) {
        PangoLayout *l = text_layout(p, d->totals[i].label, FS_TEXT, false, tw * 0.5 - 2 * PAD_X, PANGO_ALIGN_LEFT);
        PangoLayout *v = text_layout(p, d->totals[i].value, FS_TEXT, true, tw * 0.5 - 2 * PAD_X, PANGO_ALIGN_RIGHT);
        double h = (layout_h(l) > layout_h(v) ? layout_h(l) : layout_h(v)) + 2 * PAD_Y;
        if (draw) {
            double save = p->y;
            p->y = y;
            cell_rect(p, x0, y, tw * 0.5, h, LABEL_SHADE);
            cell_rect(p, x0 + tw * 0.5, y, tw * 0.5, h, -1);
            show(p, l, x0 + PAD_X, y + PAD_Y, 0.2);
            show(p, v, x0 + tw * 0.5 + PAD_X, y + PAD_Y, 0);
            p->y = save;
        }
        g_object_unref(l);
        g_object_unref(v);
        y += h;
    }
    if (d->emphasis) {
        y += 6;
        const double lw = CONTENT_W * 0.24;
        PangoLayout *l = text_layout(p, d->emphasis->label, FS_TEXT, false, lw - 2 * PAD_X, PANGO_ALIGN_LEFT);
        PangoLayout *v =
            text_layout(p, d->emphasis->value, FS_TEXT + 1, true, CONTENT_W - lw - 2 * PAD_X, PANGO_ALIGN_LEFT);
        double h = (layout_h(l) > layout_h(v) ? layout_h(l) : layout_h(v)) + 2 * PAD_Y + 2;
        if (draw) {
            cell_rect(p, MARGIN_X, y, lw, h, LABEL_SHADE);
            cell_rect(p, MARGIN_X + lw, y, CONTENT_W - lw, h, -1);
            show(p, l, MARGIN_X + PAD_X, y + PAD_Y + 1, 0.2);
            show(p, v, MARGIN_X + lw + PAD_X, y + PAD_Y + 1, 0);
        }
        g_object_unref(l);
        g_object_unref(v);
        y += h;
    }
    if (d->footer && *d->footer) {
        y += 26;
        PangoLayout *f = text_layout(p, d->footer, FS_TEXT + 0.5, false, CONTENT_W, PANGO_ALIGN_LEFT);
        pango_layout_set_spacing(f, 10 * PANGO_SCALE); /* room to sign between lines */
        if (draw) show(p, f, MARGIN_X, y, 0);
        y += layout_h(f);
        g_object_unref(f);
    }
    return y - top;
}

/* Lay the whole document out once: measuring (p->cr NULL) or drawing. Returns the pages used. */
static int layout_doc(Pdf *p) {
    p->page = 1;
    p->y = MARGIN_TOP;
    head_block(p);
    grid_block(p);
    table_block(p);
    double h = end_block(p, false);
    if (p->y + h > page_bottom()) page_next(p);
    end_block(p, true);
    page_end(p);
    return p->page;
}

/* ---------------------------------------------------------------- output */

/* cairo's write callback: append to the arena buffer. */
static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int length) {
    buf_add((Buf *)closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

int pdf_render(Arena *a, const PdfDoc *d, char **out, size_t *len, int *pages) {
    pthread_once(&fonts_once, fonts_init);
    Pdf p = {.d = d};
    bool tw = d->locale && !strcmp(d->locale, "zh-TW");
    p.families = tw ? "Noto Sans CJK TC,Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif"
                    : "Noto Sans CJK SC,Noto Sans CJK TC,WenQuanYi Micro Hei,sans-serif";
    /* the calling thread's own font map (pango keeps one per thread); not ours to free */
    PangoFontMap *fm = pango_cairo_font_map_get_default();
    p.pc = pango_font_map_create_context(fm);
    pango_cairo_context_set_resolution(p.pc, 72.0); /* sizes in points */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF); /* same widths in both passes */
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p.pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(p.pc, pango_language_from_string(tw                                      ? "zh-tw"
                                                                : d->locale && !strcmp(d->locale, "en") ? "en"
                                                                                                        : "zh-cn"));

    double total = 0;
    p.ncols = d->ncols < 64 ? d->ncols : 64;
    for (int c = 0; c < p.ncols; c++)
        total += d->cols[c].width > 0 ? d->cols[c].width : 1;
    for (int c = 0; c < p.ncols; c++)
        p.colw[c] = CONTENT_W * (d->cols[c].width > 0 ? d->cols[c].width : 1) / total;

    p.pages = layout_doc(&p); /* measuring pass: how many pages */

    Buf b;
    buf_init(&b, a);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(sink, &b, PAGE_W, PAGE_H);
    if (d->meta_title) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->meta_title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "salesloop");
    p.cr = cairo_create(s);
    int drawn = layout_doc(&p);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    g_object_unref(p.pc);
    if (st != CAIRO_STATUS_SUCCESS) {
        log_error("pdf: cairo: %s", cairo_status_to_string(st));
        return -1;
    }
    if (drawn != p.pages) log_warn("pdf: %d pages drawn, %d measured", drawn, p.pages);
    *out = b.p;
    *len = b.n;
    *pages = drawn;
    return 0;
}
