/*
** attach.c — attachments on any record (issue 9 mechanism 5, R-INT-3): the routes, the
** content-addressed store in the data folder, type sniffing (libmagic), thumbnails
** (gdk-pixbuf), and the file half of backup and restore. attach.h says what and why.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <magic.h>
#include <sodium.h>

#include "../core/errcodes.h"
#include "attach.h"
#include "calendar.h"
#include "model.h"
#include "settings.h"

/* ---------------------------------------------------------------- state */

static char *zDataDir;   /* --data, set once at start by attach_init */
static char *zFilesDir;  /* DATA/files: the content, by hash */
static char *zThumbsDir; /* DATA/thumbs: thumbnails, by hash of the original */

static pthread_mutex_t magicMu = PTHREAD_MUTEX_INITIALIZER; /* a magic_t is not thread-safe */
static magic_t magicDb;                                     /* opened on first use, under magicMu */
static bool magicFailed;                                    /* the database could not be loaded */

/* Default allow-list (setting attach.types): images, PDF, Office, plain text, CSV, zip. */
static const char zDefaultTypes[] = "image/png,image/jpeg,image/gif,image/webp,application/pdf,"
                                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                                    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
                                    "application/msword,application/vnd.ms-excel,text/plain,text/csv,application/zip";

void attach_init(const char *data_dir) {
    free(zDataDir);
    free(zFilesDir);
    free(zThumbsDir);
    zDataDir = xstrdup(data_dir && *data_dir ? data_dir : "./data");
    size_t n = strlen(zDataDir) + 16;
    zFilesDir = xmalloc(n);
    zThumbsDir = xmalloc(n);
    snprintf(zFilesDir, n, "%s/files", zDataDir);
    snprintf(zThumbsDir, n, "%s/thumbs", zDataDir);
    /* gdk-pixbuf finds its loaders on first use; do it here, on one thread, before serving */
    GSList *formats = gdk_pixbuf_get_formats();
    g_slist_free(formats);
}

/* The content folder; attach_init with the default when no command set one (unit tests). */
static const char *files_dir(void) {
    if (!zFilesDir) attach_init(NULL);
    return zFilesDir;
}

/* ---------------------------------------------------------------- pure helpers */

/* Decode the code point at s (valid UTF-8); *len gets its byte length. */
static uint32_t utf8_decode(const unsigned char *s, int *len) {
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *len = 2;
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0) {
        *len = 3;
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
}

/* Is cp unsafe in a display name: a control, a bidirectional override, or reserved on Windows? */
static bool name_char_unsafe(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;
    if (cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return true;
    return cp < 0x80 && strchr("\"*:<>?|", (int)cp) != NULL;
}

char *attach_sanitize_name(Arena *a, const char *raw) {
    if (!raw || !utf8_valid(raw, strlen(raw))) return NULL;
    const char *base = raw;
    for (const char *p = raw; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    Buf b;
    buf_init(&b, a);
    for (const unsigned char *p = (const unsigned char *)base; *p;) {
        int len;
        uint32_t cp = utf8_decode(p, &len);
        if (name_char_unsafe(cp))
            buf_putc(&b, '_');
        else
            buf_add(&b, (const char *)p, (size_t)len);
        p += len;
    }
    /* no leading or trailing spaces and dots: ".." and "name." are not names */
    char *s = b.p;
    while (*s == ' ' || *s == '.')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '.'))
        s[--n] = 0;
    if (!n) return NULL;
    size_t chars = utf8_len(s, n);
    if (chars <= ATTACH_NAME_MAX) return s;
    /* too long: keep the extension (up to 16 characters) and cut the stem */
    const char *dot = strrchr(s, '.');
    size_t ext_chars = dot ? utf8_len(dot, strlen(dot)) : 0;
    if (ext_chars > 16) {
        dot = NULL;
        ext_chars = 0;
    }
    size_t keep = ATTACH_NAME_MAX - ext_chars, bytes = 0;
    for (size_t c = 0; c < keep; c++) {
        int len;
        utf8_decode((const unsigned char *)s + bytes, &len);
        bytes += (size_t)len;
    }
    return arena_printf(a, "%.*s%s", (int)bytes, s, dot ? dot : "");
}

bool attach_type_allowed(const char *list, const char *mime) {
    if (!list || !mime) return false;
    size_t mlen = strcspn(mime, "; \t");
    if (!mlen) return false;
    for (const char *p = list; *p;) {
        p += strspn(p, ", \t\r\n");
        size_t n = strcspn(p, ", \t\r\n");
        if (!n) break;
        bool prefix = p[n - 1] == '/' || (n >= 2 && p[n - 2] == '/' && p[n - 1] == '*');
        size_t cmp = prefix && p[n - 1] == '*' ? n - 1 : n; /* "image/" "*" compares as "image/" */
        if (prefix ? (mlen > cmp && strncasecmp(p, mime, cmp) == 0) : (mlen == n && strncasecmp(p, mime, n) == 0))
            return true;
        p += n;
    }
    return false;
}

/* The lower-cased extension of name after its last '.', or "" (at most 7 bytes). */
static void name_ext(const char *name, char out[8]) {
    out[0] = 0;
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || strlen(dot + 1) >= 8) return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; p++)
        out[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    out[i] = 0;
}

const char *attach_refine_type(const char *sniffed, const char *file_name) {
    if (!sniffed) return NULL;
    char ext[8];
    name_ext(file_name, ext);
    if (!strcmp(sniffed, "application/zip")) {
        if (!strcmp(ext, "docx")) return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        if (!strcmp(ext, "xlsx")) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        if (!strcmp(ext, "pptx")) return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    }
    if (!strcmp(sniffed, "application/CDFV2") || !strcmp(sniffed, "application/x-ole-storage") ||
        !strcmp(sniffed, "application/vnd.ms-office")) {
        if (!strcmp(ext, "doc")) return "application/msword";
        if (!strcmp(ext, "xls")) return "application/vnd.ms-excel";
        if (!strcmp(ext, "ppt")) return "application/vnd.ms-powerpoint";
    }
    if (!strcmp(sniffed, "text/plain") && !strcmp(ext, "csv")) return "text/csv";
    return sniffed;
}

char *attach_content_path(Arena *a, const char *root, const char *sha256, const char *suffix) {
    if (!root || !sha256 || strlen(sha256) != 64) return NULL;
    for (const char *p = sha256; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return NULL;
    return arena_printf(a, "%s/%.2s/%.2s/%s%s", root, sha256, sha256 + 2, sha256, suffix ? suffix : "");
}

char *attach_sha256_hex(Arena *a, const void *data, size_t n) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    char *hex = arena_alloc(a, 2 * sizeof h + 1);
    sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
    return hex;
}

char *attach_disposition(Arena *a, const char *name) {
    Buf ascii, enc;
    buf_init(&ascii, a);
    buf_init(&enc, a);
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c = *p;
        /* the quoted fallback: ASCII only, one '_' per non-ASCII character */
        if (c >= 0x80) {
            if ((c & 0xC0) != 0x80) buf_putc(&ascii, '_');
        } else if (c == '"' || c == '\\' || c < 0x20 || c == 0x7F) {
            buf_putc(&ascii, '_');
        } else {
            buf_putc(&ascii, (char)c);
        }
        /* RFC 5987 attr-char, everything else percent-encoded */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c)) {
            buf_putc(&enc, (char)c);
        } else {
            buf_putc(&enc, '%');
            buf_putc(&enc, hex[c >> 4]);
            buf_putc(&enc, hex[c & 15]);
        }
    }
    return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii.p, enc.p);
}

/* ---------------------------------------------------------------- EXIF */

/* A TIFF block inside an EXIF segment: the bytes and their byte order. */
typedef struct Tiff {
    const unsigned char *p;
    size_t n;
    bool le; /* "II": little-endian */
} Tiff;

/* 16- and 32-bit values at offset off of the block, 0 when they do not fit. */
static uint32_t tiff_u16(const Tiff *t, size_t off) {
    if (off + 2 > t->n) return 0;
    const unsigned char *b = t->p + off;
    return t->le ? (uint32_t)(b[0] | b[1] << 8) : (uint32_t)(b[0] << 8 | b[1]);
}
static uint32_t tiff_u32(const Tiff *t, size_t off) {
    if (off + 4 > t->n) return 0;
    const unsigned char *b = t->p + off;
    return t->le ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
                 : (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* The entry of IFD at offset ifd with tag: offset of its 12 bytes, or 0 when absent. */
static size_t tiff_find(const Tiff *t, size_t ifd, uint32_t tag) {
    if (!ifd || ifd + 2 > t->n) return 0;
    uint32_t count = tiff_u16(t, ifd);
    for (uint32_t i = 0; i < count; i++) {
        size_t e = ifd + 2 + 12 * (size_t)i;
        if (e + 12 > t->n) return 0;
        if (tiff_u16(t, e) == tag) return e;
    }
    return 0;
}

/* "YYYY:MM:DD HH:MM:SS" of an ASCII entry into out. true when read. */
static bool tiff_datetime(const Tiff *t, size_t entry, AttachExif *out) {
    if (!entry || tiff_u16(t, entry + 2) != 2 || tiff_u32(t, entry + 4) < 19) return false;
    size_t off = tiff_u32(t, entry + 8);
    if (off + 19 > t->n) return false;
    int y, mo, d, h, mi, s;
    char buf[20];
    memcpy(buf, t->p + off, 19);
    buf[19] = '\0';
    if (sscanf(buf, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return false;
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
        return false;
    out->has_time = true;
    out->year = y, out->month = mo, out->day = d, out->hour = h, out->minute = mi, out->second = s;
    return true;
}

/* Degrees, minutes, seconds (three RATIONALs) of a GPS entry in micro-degrees, signed by the
   reference entry ('S' and 'W' negative), at most max. true when read. */
static bool tiff_coord(const Tiff *t, size_t entry, size_t ref, int64_t max, int64_t *out) {
    if (!entry || !ref || tiff_u16(t, entry + 2) != 5 || tiff_u32(t, entry + 4) != 3) return false;
    size_t off = tiff_u32(t, entry + 8);
    if (off + 24 > t->n) return false;
    static const int64_t per[3] = {1, 60, 3600}; /* a minute is 1/60 degree, a second 1/3600 */
    int64_t nano = 0;                            /* degrees × 10^9 */
    for (int i = 0; i < 3; i++) {
        int64_t num = tiff_u32(t, off + 8 * (size_t)i), den = tiff_u32(t, off + 8 * (size_t)i + 4), part;
        if (!den || money_muldiv(num, 1000000000, 1, den * per[i], &part) < 0) return false;
        nano += part;
    }
    int64_t micro = (nano + 500) / 1000;
    if (micro > max) return false;
    unsigned char hemi = tiff_u16(t, ref + 2) == 2 ? t->p[ref + 8] : 0; /* inline ASCII "N\0" */
    if (hemi != 'N' && hemi != 'S' && hemi != 'E' && hemi != 'W') return false;
    *out = hemi == 'S' || hemi == 'W' ? -micro : micro;
    return true;
}

int attach_exif_read(const unsigned char *data, size_t n, AttachExif *out) {
    memset(out, 0, sizeof *out);
    if (n < 4 || data[0] != 0xFF || data[1] != 0xD8) return -1;
    size_t i = 2;
    while (i + 4 <= n && data[i] == 0xFF) {
        unsigned char marker = data[i + 1];
        size_t len = (size_t)data[i + 2] << 8 | data[i + 3];
        if (marker == 0xDA || marker == 0xD9 || len < 2 || i + 2 + len > n) break; /* image data, or broken */
        const unsigned char *seg = data + i + 4;
        if (marker == 0xE1 && len >= 2 + 6 + 8 && !memcmp(seg, "Exif\0\0", 6)) {
            Tiff t = {seg + 6, len - 2 - 6, seg[6] == 'I'};
            if ((memcmp(t.p, "II", 2) && memcmp(t.p, "MM", 2)) || tiff_u16(&t, 2) != 42) return -1;
            size_t ifd0 = tiff_u32(&t, 4);
            size_t exif = tiff_find(&t, ifd0, 0x8769), gps = tiff_find(&t, ifd0, 0x8825);
            if (!(exif && tiff_datetime(&t, tiff_find(&t, tiff_u32(&t, exif + 8), 0x9003), out)))
                tiff_datetime(&t, tiff_find(&t, ifd0, 0x0132), out);
            if (gps) {
                size_t g = tiff_u32(&t, gps + 8);
                int64_t lat, lng;
                if (tiff_coord(&t, tiff_find(&t, g, 2), tiff_find(&t, g, 1), 90000000, &lat) &&
                    tiff_coord(&t, tiff_find(&t, g, 4), tiff_find(&t, g, 3), 180000000, &lng)) {
                    out->has_gps = true;
                    out->lat_e6 = lat;
                    out->lng_e6 = lng;
                }
            }
            return out->has_time || out->has_gps ? 0 : -1;
        }
        i += 2 + len;
    }
    return -1;
}

/* ---------------------------------------------------------------- files */

/* Create path and its missing parents (mode 0750). 0 or -1 with errno. */
static int mkdirs(const char *path) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0750) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/* fsync a folder, so that a rename in it survives a crash. */
static void fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/* The folder part of path (an arena string). */
static char *dir_of(Arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? arena_strndup(a, path, (size_t)(slash - path)) : arena_strdup(a, ".");
}

/* Write all n bytes to fd. 0 or -1. */
static int write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A new temporary file beside final (its folder created); the fd, or -1. *tmp: its arena path. */
static int tmp_open(Arena *a, const char *final, char **tmp) {
    char *dir = dir_of(a, final);
    if (mkdirs(dir) < 0) return -1;
    *tmp = arena_printf(a, "%s/.tmp-XXXXXX", dir);
    return mkostemp(*tmp, O_CLOEXEC);
}

/* fsync and close the temp file, rename it to final, fsync the folder. The temp file is gone
   either way. 0 or -1. */
static int tmp_commit(Arena *a, int fd, const char *tmp, const char *final) {
    int rc = fsync(fd);
    if (close(fd) != 0) rc = -1;
    if (rc == 0) rc = rename(tmp, final);
    if (rc != 0) {
        unlink(tmp);
        return -1;
    }
    fsync_dir(dir_of(a, final));
    return 0;
}

/* Give up a temp file. */
static void tmp_abort(int fd, const char *tmp) {
    close(fd);
    unlink(tmp);
}

/*
** Store n bytes at final unless a file is already there: temp file, fsync, rename, so that
** final is either absent or complete. 0 or -1 (logged).
*/
static int file_store(Arena *a, const char *final, const void *data, size_t n) {
    struct stat sb;
    if (stat(final, &sb) == 0) return 0; /* content-addressed: the same bytes are there already */
    char *tmp;
    int fd = tmp_open(a, final, &tmp);
    if (fd < 0) {
        log_error("attachments: cannot create a file beside %s: %s", final, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, n) < 0) {
        log_error("attachments: cannot write %s: %s", tmp, strerror(errno));
        tmp_abort(fd, tmp);
        return -1;
    }
    if (tmp_commit(a, fd, tmp, final) < 0) {
        log_error("attachments: cannot store %s: %s", final, strerror(errno));
        return -1;
    }
    return 0;
}

/* A whole file in the arena (NUL-terminated); NULL with errno. */
static char *file_read(Arena *a, const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    char *data = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) goto out;
    size_t n = (size_t)sb.st_size, got = 0;
    data = arena_alloc(a, n + 1);
    while (got < n) {
        ssize_t rd = read(fd, data + got, n - got);
        if (rd < 0 && errno == EINTR) continue;
        if (rd <= 0) {
            data = NULL;
            errno = rd == 0 ? EIO : errno;
            goto out;
        }
        got += (size_t)rd;
    }
    *len = n;
out:
    close(fd);
    return data;
}

/*
** Copy src to final through a temp file, hashing on the way; when want (a hex SHA-256) is given
** and the content does not match, nothing is written and 1 is returned. 0 copied, -1 error
** (errno: ENOENT when src is missing).
*/
static int file_copy_checked(Arena *a, const char *src, const char *final, const char *want) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    char *tmp;
    int out = tmp_open(a, final, &tmp), rc = -1;
    if (out < 0) {
        close(in);
        return -1;
    }
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    char *buf = arena_alloc(a, 1 << 16);
    for (;;) {
        ssize_t rd = read(in, buf, 1 << 16);
        if (rd < 0 && errno == EINTR) continue;
        if (rd < 0) goto fail;
        if (rd == 0) break;
        crypto_hash_sha256_update(&hs, (const unsigned char *)buf, (unsigned long long)rd);
        if (write_all(out, buf, (size_t)rd) < 0) goto fail;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hs, h);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (want && strcmp(hex, want) != 0) {
        rc = 1;
        goto fail;
    }
    close(in);
    return tmp_commit(a, out, tmp, final);
fail:
    close(in);
    tmp_abort(out, tmp);
    return rc;
}

/* ---------------------------------------------------------------- sniffing and thumbnails */

/* The MIME type of the bytes according to libmagic (an arena string), or NULL. */
static const char *sniff_type(Arena *a, const void *data, size_t n) {
    char *out = NULL;
    pthread_mutex_lock(&magicMu);
    if (!magicDb && !magicFailed) {
        magicDb = magic_open(MAGIC_MIME_TYPE);
        if (!magicDb || magic_load(magicDb, NULL) != 0) {
            log_error("attachments: cannot load the libmagic database: %s",
                      magicDb ? magic_error(magicDb) : "out of memory");
            if (magicDb) magic_close(magicDb);
            magicDb = NULL;
            magicFailed = true;
        }
    }
    const char *t = magicDb ? magic_buffer(magicDb, data, n) : NULL;
    if (t) out = arena_strdup(a, t);
    pthread_mutex_unlock(&magicMu);
    return out;
}

/* What a thumbnail load learnt from the image's header. */
typedef struct ThumbLoad {
    bool refused; /* no size, or more than ATTACH_MAX_PIXELS: decoding was stopped */
} ThumbLoad;

/* "size-prepared": refuse huge images before their pixels are allocated (a size of 0 x 0 makes
   every loader stop), and have the rest scaled while loading. */
static void thumb_size_prepared(GdkPixbufLoader *loader, gint w, gint h, gpointer data) {
    ThumbLoad *t = data;
    if (w <= 0 || h <= 0 || (int64_t)w * h > ATTACH_MAX_PIXELS) {
        t->refused = true;
        gdk_pixbuf_loader_set_size(loader, 0, 0);
        return;
    }
    int tw = w, th = h;
    if (w > ATTACH_THUMB_PX || h > ATTACH_THUMB_PX) {
        if (w >= h) {
            tw = ATTACH_THUMB_PX;
            th = (int)((int64_t)h * ATTACH_THUMB_PX / w);
        } else {
            th = ATTACH_THUMB_PX;
            tw = (int)((int64_t)w * ATTACH_THUMB_PX / h);
        }
    }
    gdk_pixbuf_loader_set_size(loader, tw > 0 ? tw : 1, th > 0 ? th : 1);
}

/*
** A PNG thumbnail (longest side at most ATTACH_THUMB_PX) of an image of type mime, or NULL
** when there is no loader for the type, the image is damaged or too large. Only the loader of
** the sniffed type is used. The bytes are an arena copy.
*/
static char *thumb_make(Arena *a, const char *mime, const unsigned char *data, size_t n, size_t *outlen) {
    GError *gerr = NULL;
    GdkPixbufLoader *loader = gdk_pixbuf_loader_new_with_mime_type(mime, &gerr);
    char *out = NULL;
    GdkPixbuf *pix = NULL;
    if (!loader) goto out;
    ThumbLoad t = {0};
    g_signal_connect(loader, "size-prepared", G_CALLBACK(thumb_size_prepared), &t);
    bool ok = true;
    for (size_t off = 0; off < n && ok && !t.refused; off += 1 << 16) {
        size_t chunk = n - off < (1u << 16) ? n - off : (1u << 16);
        ok = gdk_pixbuf_loader_write(loader, data + off, chunk, &gerr);
    }
    g_clear_error(&gerr);
    ok = gdk_pixbuf_loader_close(loader, &gerr) && ok && !t.refused;
    GdkPixbuf *loaded = ok ? gdk_pixbuf_loader_get_pixbuf(loader) : NULL; /* borrowed */
    if (!loaded) goto out;
    pix = gdk_pixbuf_apply_embedded_orientation(loaded); /* camera photos stand upright */
    int w = gdk_pixbuf_get_width(pix), h = gdk_pixbuf_get_height(pix);
    if (w > ATTACH_THUMB_PX || h > ATTACH_THUMB_PX) { /* a loader that ignored the size */
        int tw = w >= h ? ATTACH_THUMB_PX : (int)((int64_t)w * ATTACH_THUMB_PX / h);
        int th = w >= h ? (int)((int64_t)h * ATTACH_THUMB_PX / w) : ATTACH_THUMB_PX;
        GdkPixbuf *s = gdk_pixbuf_scale_simple(pix, tw > 0 ? tw : 1, th > 0 ? th : 1, GDK_INTERP_BILINEAR);
        g_object_unref(pix);
        pix = s;
        if (!pix) goto out;
    }
    gchar *buf = NULL;
    gsize len = 0;
    if (gdk_pixbuf_save_to_buffer(pix, &buf, &len, "png", &gerr, NULL)) {
        out = arena_alloc(a, len + 1);
        memcpy(out, buf, len);
        *outlen = len;
    }
    g_free(buf);
out:
    g_clear_error(&gerr);
    if (pix) g_object_unref(pix);
    if (loader) g_object_unref(loader);
    return out;
}

/* Can the type have a thumbnail at all? */
static bool thumb_type(const char *mime) {
    return !strcmp(mime, "image/png") || !strcmp(mime, "image/jpeg") || !strcmp(mime, "image/gif") ||
           !strcmp(mime, "image/webp");
}

/*
** The thumbnail of content sha256 from the cache, made and cached first when missing. A
** zero-length cache file remembers that none can be made. NULL when there is none.
*/
static char *thumb_get(Arena *a, const char *sha256, const char *mime, const char *content, size_t n, size_t *outlen) {
    if (!zThumbsDir) attach_init(NULL);
    char *path = attach_content_path(a, zThumbsDir, sha256, ".png");
    if (!path) return NULL;
    size_t len = 0;
    char *thumb = file_read(a, path, &len);
    if (thumb) {
        *outlen = len;
        return len ? thumb : NULL;
    }
    if (!content) {
        char *cpath = attach_content_path(a, files_dir(), sha256, NULL);
        content = cpath ? file_read(a, cpath, &n) : NULL;
        if (!content) return NULL;
    }
    thumb = thumb_make(a, mime, (const unsigned char *)content, n, &len);
    file_store(a, path, thumb ? thumb : "", thumb ? len : 0); /* cached, or "none" remembered */
    *outlen = len;
    return thumb;
}

/* ---------------------------------------------------------------- rows */

/* One attachment row as read for a reply. Strings live in the request arena. */
typedef struct Att {
    int64_t id;
    const char *entity;    /* entity name of the record */
    int64_t row_id;        /* the record's id */
    const char *sha256;    /* content hash, the file's name */
    int64_t size;          /* bytes */
    const char *mime;      /* sniffed type */
    const char *file_name; /* display name */
    int64_t created_at;
    int64_t created_by;               /* uploader's id, 0 when unknown */
    const char *created_by_name;      /* uploader's display name or NULL */
    bool has_exif_time, has_exif_gps; /* a JPEG's EXIF said when / where it was taken */
    int64_t exif_taken_at;            /* the camera's local time read in the company zone */
    int64_t exif_lat_e6, exif_lng_e6; /* GPS position, micro-degrees */
} Att;

/* Columns read by att_read, in its order. */
#define ATT_COLS                                                                                                       \
    "a.id, a.entity, a.row_id, a.sha256, a.size, a.mime, a.file_name, a.created_at, a.created_by, u.display_name, "    \
    "a.exif_taken_at, a.exif_lat_e6, a.exif_lng_e6"

/* Copy the current row of st (selected with ATT_COLS) into t. */
static void att_read(Req *r, Stmt *st, Att *t) {
    t->id = db_col_int64(st, 0);
    t->entity = arena_strdup(r->a, db_col_text(st, 1));
    t->row_id = db_col_int64(st, 2);
    t->sha256 = arena_strdup(r->a, db_col_text(st, 3));
    t->size = db_col_int64(st, 4);
    t->mime = arena_strdup(r->a, db_col_text(st, 5));
    t->file_name = arena_strdup(r->a, db_col_text(st, 6));
    t->created_at = db_col_int64(st, 7);
    t->created_by = db_col_int64(st, 8);
    t->created_by_name = arena_strdup(r->a, db_col_text(st, 9));
    t->has_exif_time = !db_col_null(st, 10);
    t->exif_taken_at = db_col_int64(st, 10);
    t->has_exif_gps = !db_col_null(st, 11) && !db_col_null(st, 12);
    t->exif_lat_e6 = db_col_int64(st, 11);
    t->exif_lng_e6 = db_col_int64(st, 12);
}

/* The attachment as the API sends it, with its download URL and what its EXIF said (or null). */
static json_t *att_json(Req *r, const Att *t) {
    json_t *exif = json_null();
    if (t->has_exif_time || t->has_exif_gps)
        exif = json_pack("{s:o, s:o, s:o}", "taken_at", t->has_exif_time ? json_integer(t->exif_taken_at) : json_null(),
                         "lat_e6", t->has_exif_gps ? json_integer(t->exif_lat_e6) : json_null(), "lng_e6",
                         t->has_exif_gps ? json_integer(t->exif_lng_e6) : json_null());
    return json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:s, s:I, s:o, s:s?, s:b, s:s, s:o}", "id", (json_int_t)t->id,
                     "entity", t->entity, "row_id", (json_int_t)t->row_id, "file_name", t->file_name, "size",
                     (json_int_t)t->size, "mime", t->mime, "sha256", t->sha256, "created_at", (json_int_t)t->created_at,
                     "created_by", t->created_by ? json_integer(t->created_by) : json_null(), "created_by_name",
                     t->created_by_name, "thumbnail", thumb_type(t->mime), "url",
                     arena_printf(r->a, "/api/v1/attachments/%lld", (long long)t->id), "exif", exif);
}

/*
** The record of /api/v1/:entity/:id/attachments: an entity that takes attachments, and a live
** row the user sees (owned by the request). 404 otherwise, 403 when the role may not read it.
*/
static json_t *record_of_request(Req *r, const Entity **pen, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return NULL;
    if (!en->attachments) {
        err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return NULL;
    json_t *row = entity_load(r, en, id, e);
    if (!row) return NULL;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    *pen = en;
    return row;
}

/*
** The live attachment of path parameter 0, whose record the user sees; its entity and the
** record (owned by the request). 404 record.not_found for anything else, so an attachment of
** a record the user does not see is indistinguishable from a missing one.
*/
static json_t *att_of_request(Req *r, Att *t, const Entity **pen, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return NULL;
    Stmt *st = db_prepare(r->db, "SELECT " ATT_COLS "\n"
                                 "  FROM attachments a LEFT JOIN users u ON u.id = a.created_by\n"
                                 " WHERE a.id = ?1 AND a.deleted_at IS NULL");
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) att_read(r, st, t);
    db_done(st);
    if (rc < 0) {
        err_set(e, 500, EC_INTERNAL, NULL, "attachment %lld", (long long)id);
        return NULL;
    }
    const Entity *en = rc == DB_ROW ? entity_find(t->entity) : NULL;
    if (!en || !en->attachments || !entity_can_read(en, r->user)) {
        err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    json_t *row = entity_load(r, en, t->row_id, e);
    if (!row) return NULL;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    *pen = en;
    return row;
}

/* ---------------------------------------------------------------- routes */

/*
** GET /api/v1/:entity/:id/attachments                  roles: whoever reads the record
** 200 {"items":[{"id","entity","row_id","file_name","size","mime","sha256","created_at",
**      "created_by","created_by_name","thumbnail","url"}], "can_write": bool}  newest first
** | 404 entity without attachments, record missing or not visible | 403 role may not read
*/
static int attach_list(Req *r, Err *e) {
    const Entity *en;
    json_t *row = record_of_request(r, &en, e);
    if (!row) return -1;
    int64_t row_id = json_integer_value(json_object_get(row, "id"));
    Stmt *st = db_prepare(r->db, "SELECT " ATT_COLS "\n"
                                 "  FROM attachments a LEFT JOIN users u ON u.id = a.created_by\n"
                                 " WHERE a.entity = ?1 AND a.row_id = ?2 AND a.deleted_at IS NULL\n"
                                 " ORDER BY a.id DESC LIMIT 1000");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        Att t;
        att_read(r, st, &t);
        json_array_append_new(items, att_json(r, &t));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(
        r, 200, json_pack("{s:o, s:b}", "items", items, "can_write", entity_row_may(r, en, row, ACCESS_WRITE, NULL)));
}

/*
** POST /api/v1/:entity/:id/attachments?name=FILE_NAME  roles: the access rule for writing the
**                                                      record (entity_row_check, ACCESS_WRITE)
** Body: the file's bytes (raw, not multipart); Content-Type is ignored: the type is sniffed.
** 201 {attachment} | 400 field.required name, attach.empty, attach.type_not_allowed (the type
** named) | 403 only seen (shared, signed) | 404 not visible | 413 attach.too_large (setting
** attach.max_mib), request.too_large (above --max-import-body)
*/
static int attach_upload(Req *r, Err *e) {
    const Entity *en;
    json_t *row = record_of_request(r, &en, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    int64_t row_id = json_integer_value(json_object_get(row, "id"));
    const char *raw = req_query(r, "name");
    if (!raw || !*raw) return err_set(e, 400, EC_REQUIRED, "name", NULL);
    char *name = attach_sanitize_name(r->a, raw);
    if (!name) return err_set(e, 400, EC_FORMAT, "name", "%.60s", raw);
    if (!r->body || r->body_len == 0) return err_set(e, 400, EC_ATTACH_EMPTY, NULL, NULL);
    int64_t max_mib = req_setting_int(r, "attach.max_mib");
    if ((int64_t)r->body_len > max_mib * 1024 * 1024)
        return err_set(e, 413, EC_ATTACH_TOO_LARGE, NULL, "%lld", (long long)max_mib);
    const char *sniffed = sniff_type(r->a, r->body, r->body_len);
    if (!sniffed) return err_set(e, 500, EC_INTERNAL, NULL, "type detection unavailable");
    const char *mime = attach_refine_type(sniffed, name);
    const char *allowed = setting_text(r->db, r->a, "attach.types");
    if (!attach_type_allowed(allowed, mime)) return err_set(e, 400, EC_ATTACH_TYPE, NULL, "%s", mime);

    /* the content first, outside the transaction: a row never names a file that is not there */
    char *sha = attach_sha256_hex(r->a, r->body, r->body_len);
    char *path = attach_content_path(r->a, files_dir(), sha, NULL);
    if (file_store(r->a, path, r->body, r->body_len) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (thumb_type(mime)) {
        size_t tl;
        thumb_get(r->a, sha, mime, r->body, r->body_len, &tl); /* best effort: made lazily otherwise */
    }

    static const char zSqlInsert[] =
        "INSERT INTO attachments(entity, row_id, sha256, size, mime, file_name, created_at, created_by, exif_taken_at,"
        " exif_lat_e6, exif_lng_e6)\n VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id";
    /* a photo's EXIF: when (the camera's local time, read in the company zone) and where */
    AttachExif x = {0};
    if (!strcmp(mime, "image/jpeg")) attach_exif_read((const unsigned char *)r->body, r->body_len, &x);
    int64_t taken =
        x.has_time ? epoch_of_date(x.year, x.month, x.day, company_tz(r)) + x.hour * 3600 + x.minute * 60 + x.second
                   : 0;
    if (db_begin(r->db) != DB_OK) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    Stmt *st = db_prepare(r->db, zSqlInsert);
    int64_t id = 0;
    if (st) {
        db_bind_text(st, 1, en->name, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_text(st, 3, sha, -1);
        db_bind_int64(st, 4, (int64_t)r->body_len);
        db_bind_text(st, 5, mime, -1);
        db_bind_text(st, 6, name, -1);
        db_bind_int64(st, 7, r->now);
        db_bind_int64(st, 8, r->user->id);
        if (x.has_time)
            db_bind_int64(st, 9, taken);
        else
            db_bind_null(st, 9);
        if (x.has_gps) {
            db_bind_int64(st, 10, x.lat_e6);
            db_bind_int64(st, 11, x.lng_e6);
        } else {
            db_bind_null(st, 10);
            db_bind_null(st, 11);
        }
        if (db_step(st) == DB_ROW) id = db_col_int64(st, 0);
        db_done(st);
    }
    /* audit_write owns the changes object, whatever it answers */
    if (!id ||
        audit_write(r, en->name, row_id, "attach",
                    json_pack("{s:[n,I], s:[n,s], s:[n,I], s:[n,s]}", "attachment_id", (json_int_t)id, "file_name",
                              name, "size", (json_int_t)r->body_len, "mime", mime)) < 0 ||
        db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    Att t = {.id = id,
             .entity = en->name,
             .row_id = row_id,
             .sha256 = sha,
             .size = (int64_t)r->body_len,
             .mime = mime,
             .file_name = name,
             .created_at = r->now,
             .created_by = r->user->id,
             .created_by_name = r->user->display_name,
             .has_exif_time = x.has_time,
             .exif_taken_at = taken,
             .has_exif_gps = x.has_gps,
             .exif_lat_e6 = x.lat_e6,
             .exif_lng_e6 = x.lng_e6};
    return reply_json(r, 201, att_json(r, &t));
}

/*
** GET /api/v1/attachments/:id                          roles: whoever reads the record
** 200 the bytes, Content-Type the sniffed type, Content-Disposition attachment with the UTF-8
** name (RFC 6266/5987), X-Content-Type-Options nosniff | 404 missing, removed, or the record
** not visible
*/
static int attach_download(Req *r, Err *e) {
    Att t;
    const Entity *en;
    if (!att_of_request(r, &t, &en, e)) return -1;
    char *path = attach_content_path(r->a, files_dir(), t.sha256, NULL);
    size_t len = 0;
    char *data = path ? file_read(r->a, path, &len) : NULL;
    if (!data) {
        log_error("attachments: content of attachment %lld missing (%s): %s", (long long)t.id, path ? path : t.sha256,
                  strerror(errno));
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    reply_header(r, "Content-Disposition", attach_disposition(r->a, t.file_name));
    reply_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    return reply_raw(r, 200, t.mime, data, len);
}

/*
** GET /api/v1/attachments/:id/thumbnail                roles: whoever reads the record
** 200 image/png, longest side at most 256 px | 404 attach.no_thumbnail (not an image, damaged,
** more than 40 megapixels, no decoder for the type) | 404 record.not_found as for the download
*/
static int attach_thumbnail(Req *r, Err *e) {
    Att t;
    const Entity *en;
    if (!att_of_request(r, &t, &en, e)) return -1;
    size_t len = 0;
    char *png = thumb_type(t.mime) ? thumb_get(r->a, t.sha256, t.mime, NULL, 0, &len) : NULL;
    if (!png) return err_set(e, 404, EC_ATTACH_NO_THUMB, NULL, NULL);
    return reply_raw(r, 200, "image/png", png, len);
}

/*
** DELETE /api/v1/attachments/:id                       roles: the access rule for writing the
**                                                      record (ACCESS_WRITE)
** 204 (soft: hidden from lists and downloads; audited on the record) | 403 only seen | 404
*/
static int attach_delete(Req *r, Err *e) {
    Att t;
    const Entity *en;
    json_t *row = att_of_request(r, &t, &en, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, "UPDATE attachments SET deleted_at = ?1, deleted_by = ?2\n"
                                 " WHERE id = ?3 AND deleted_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, t.id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    json_t *ch = json_pack("{s:[I,n], s:[s,n], s:[I,n]}", "attachment_id", (json_int_t)t.id, "file_name", t.file_name,
                           "size", (json_int_t)t.size);
    if (audit_write(r, en->name, t.row_id, "detach", ch) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}

/* ---------------------------------------------------------------- backup and restore */

/* The distinct content hashes of every attachment row (live or removed), in a: *n of them.
   NULL with err on a database error. */
static char **content_hashes(Db *db, Arena *a, int *n, char *err, size_t errlen) {
    Stmt *st = db_prepare(db, "SELECT DISTINCT sha256 FROM attachments ORDER BY sha256");
    if (!st) {
        snprintf(err, errlen, "cannot list attachments: %s", db_errmsg(db));
        return NULL;
    }
    int cap = 64, rc;
    char **out = arena_alloc(a, sizeof *out * (size_t)cap);
    *n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            char **more = arena_alloc(a, sizeof *out * (size_t)cap * 2);
            memcpy(more, out, sizeof *out * (size_t)cap);
            out = more;
            cap *= 2;
        }
        out[(*n)++] = arena_strdup(a, db_col_text(st, 0));
    }
    db_done(st);
    if (rc < 0) {
        snprintf(err, errlen, "cannot list attachments: %s", db_errmsg(db));
        return NULL;
    }
    return out;
}

int attach_backup(Db *db, const char *dest_dir, int *copied, int *missing, char *err, size_t errlen) {
    Arena *a = arena_new();
    int n = 0, rc = -1;
    *copied = *missing = 0;
    char **hashes = content_hashes(db, a, &n, err, errlen);
    if (!hashes) goto out;
    if (mkdirs(dest_dir) < 0) {
        snprintf(err, errlen, "%s: %s", dest_dir, strerror(errno));
        goto out;
    }
    for (int i = 0; i < n; i++) {
        char *src = attach_content_path(a, files_dir(), hashes[i], NULL);
        char *dst = attach_content_path(a, dest_dir, hashes[i], NULL);
        struct stat sb;
        if (!src || !dst) {
            ++*missing;
            continue;
        }
        if (stat(dst, &sb) == 0) continue; /* an earlier backup into the same folder has it */
        int c = file_copy_checked(a, src, dst, hashes[i]);
        if (c == 0) {
            ++*copied;
        } else if (c > 0 || errno == ENOENT) {
            log_error("backup: content %s is %s in %s", hashes[i], c > 0 ? "damaged" : "missing", files_dir());
            ++*missing;
        } else {
            snprintf(err, errlen, "%s: %s", dst, strerror(errno));
            goto out;
        }
    }
    rc = 0;
out:
    arena_free(a);
    return rc;
}

int attach_restore(Db *db, const char *src_dir, int *copied, int *missing, int *damaged, char *err, size_t errlen) {
    Arena *a = arena_new();
    int n = 0, rc = -1;
    *copied = *missing = *damaged = 0;
    char **hashes = content_hashes(db, a, &n, err, errlen);
    if (!hashes) goto out;
    for (int i = 0; i < n; i++) {
        char *dst = attach_content_path(a, files_dir(), hashes[i], NULL);
        char *src = attach_content_path(a, src_dir, hashes[i], NULL);
        struct stat sb;
        if (!src || !dst) {
            ++*damaged;
            continue;
        }
        if (stat(dst, &sb) == 0) continue; /* still there: content never changes */
        int c = file_copy_checked(a, src, dst, hashes[i]);
        if (c == 0) {
            ++*copied;
        } else if (c > 0) {
            log_error("restore: %s does not match its hash; not restored", src);
            ++*damaged;
        } else if (errno == ENOENT) {
            ++*missing;
        } else {
            snprintf(err, errlen, "%s: %s", dst, strerror(errno));
            goto out;
        }
    }
    rc = 0;
out:
    arena_free(a);
    return rc;
}

/* ---------------------------------------------------------------- registration */

void attach_register(void) {
    static const Setting settings[] = {
        {"attach.max_mib", ST_INT, "20", 1, 1024, "附件大小上限（MiB）", "附件大小上限（MiB）",
         "Largest attachment (MiB)"},
        {"attach.types", ST_TEXT, zDefaultTypes, 0, 0, "允许的附件类型（MIME，逗号分隔，image/ 表示前缀）",
         "允許的附件類型（MIME，逗號分隔，image/ 表示前綴）",
         "Allowed attachment types (MIME types, comma-separated; image/ is a prefix)"},
    };
    settings_declare(settings, (int)(sizeof settings / sizeof settings[0]));
    static const Route routes[] = {
        {"GET", "/api/v1/:entity/:id/attachments", attach_list, 0, 0, "Files attached to a row", "attachments"},
        {"POST", "/api/v1/:entity/:id/attachments", attach_upload, R_SLOW | R_OWN_TX | R_WRITE | R_BIG_BODY, 0,
         "Attach a file to a row (raw body, ?name=)", "attachments"},
        {"GET", "/api/v1/attachments/:id", attach_download, R_SLOW | R_RAW, 0, "Download an attachment", "attachments"},
        {"GET", "/api/v1/attachments/:id/thumbnail", attach_thumbnail, R_SLOW | R_RAW, 0,
         "Thumbnail of an image attachment (PNG)", "attachments"},
        {"DELETE", "/api/v1/attachments/:id", attach_delete, R_WRITE, 0, "Remove an attachment", "attachments"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
