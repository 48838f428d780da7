/*
** attach.h — attachments on any record (issue 9 mechanism 5, R-INT-3).
**
** An entity opts in with `.attachments = true` in its declaration. Its rows then take files:
** metadata in the `attachments` table keyed by (entity, row_id), content in the data folder
** named by its SHA-256 (DATA/files/ab/cd/<sha256>), written through a temp file, fsync and
** rename, so the same content is stored once and a crash never leaves a half file under its
** final name. Who may see a file is decided by the record it belongs to (entity_load), who may
** add or remove one by the access rule for writing the record (entity_row_check, ACCESS_WRITE).
** Types are sniffed from the bytes (libmagic); images get a small PNG thumbnail (gdk-pixbuf),
** cached under DATA/thumbs/ab/cd/<sha256>.png. `salesloop backup` and `restore` carry the files.
*/
#ifndef SALESLOOP_ATTACH_H
#define SALESLOOP_ATTACH_H

#include "../http/http.h"

/* Longest side of a thumbnail in pixels. */
#define ATTACH_THUMB_PX 256
/* Images with more pixels than this are never decoded (no thumbnail). */
#define ATTACH_MAX_PIXELS (40LL * 1000 * 1000)
/* Longest display name kept, in characters. */
#define ATTACH_NAME_MAX 200

/*
** Set the data folder (--data) the content lives under; called once at start by the commands
** that touch files (serve, test-request, backup, restore). The string is copied.
*/
void attach_init(const char *data_dir);
/* The routes and settings of the mechanism (modules_register). */
void attach_register(void);

/* ---------------------------------------------------------------- pure helpers (unit tested) */

/*
** A safe display name from what the client sent: the last path component (after '/' or '\'),
** control characters, bidirectional overrides and  " * : < > ? |  replaced by '_', leading and
** trailing spaces and dots dropped, cut to ATTACH_NAME_MAX characters. UTF-8 is kept
** (合同扫描件.pdf). NULL when raw is NULL, not UTF-8, or nothing is left. An arena string.
*/
char *attach_sanitize_name(Arena *a, const char *raw);
/*
** Does the allow-list admit mime? The list holds entries separated by commas, spaces or line
** breaks: an exact type ("application/pdf") or a prefix ending in '/' or in "/" "*" ("image/",
** "image/" "*"). Case-insensitive; parameters after ';' in mime are ignored.
*/
bool attach_type_allowed(const char *list, const char *mime);
/*
** The stored type for a sniffed one, given the file's name: libmagic reports some Office files
** by their container (a zip, an OLE compound file), so a zip named .docx/.xlsx/.pptx becomes
** the OOXML type, an OLE file named .doc/.xls/.ppt the legacy Office type, and plain text
** named .csv text/csv. Anything else is returned unchanged. Static strings or sniffed itself.
*/
const char *attach_refine_type(const char *sniffed, const char *file_name);
/*
** Path of content sha256 (64 lower-case hex digits) under root: "root/ab/cd/<sha256>" plus
** suffix (may be NULL or ""). NULL when sha256 is not such a hash (never a path from outside).
** An arena string.
*/
char *attach_content_path(Arena *a, const char *root, const char *sha256, const char *suffix);
/* Lower-case hex SHA-256 of n bytes, an arena string of 64 characters. */
char *attach_sha256_hex(Arena *a, const void *data, size_t n);
/* RFC 6266 / 5987 Content-Disposition value for a UTF-8 name: attachment; filename="ascii";
   filename*=UTF-8''percent-encoded. An arena string. */
char *attach_disposition(Arena *a, const char *name);

/*
** What a JPEG's EXIF says about when and where the photo was taken (a visit's evidence, R-VIS-7).
** The time is DateTimeOriginal (else DateTime) as written by the camera: local time with no zone.
*/
typedef struct AttachExif {
    bool has_time;
    int year, month, day, hour, minute, second; /* the camera's local time */
    bool has_gps;
    int64_t lat_e6, lng_e6; /* GPS position in micro-degrees, south and west negative */
} AttachExif;
/*
** Read the EXIF block of the JPEG in data[0..n) (APP1 "Exif"): time and GPS position. Every offset
** is checked against the block; anything malformed is simply absent. 0 when something was found,
** -1 when the bytes are no JPEG or hold neither.
*/
int attach_exif_read(const unsigned char *data, size_t n, AttachExif *out);

/* ---------------------------------------------------------------- backup and restore */

/*
** Copy the content of every attachment row (live or deleted) of db from the data folder to
** dest_dir (same ab/cd/<sha256> layout; files already there are kept). Counts go to *copied
** and *missing (a row whose file is not in the data folder). 0, or -1 with err.
*/
int attach_backup(Db *db, const char *dest_dir, int *copied, int *missing, char *err, size_t errlen);
/*
** Put back the content of every attachment row of db from src_dir into the data folder, each
** file checked against its hash; files already present are kept. *missing counts rows whose
** file is neither in src_dir nor in the data folder, *damaged files whose hash did not match
** (not restored). 0, or -1 with err.
*/
int attach_restore(Db *db, const char *src_dir, int *copied, int *missing, int *damaged, char *err, size_t errlen);

#endif
