/*
** money.c — money as int64 fen (分): parsing, display with thousands
** separators, 大写 (Chinese capital numerals for invoices, contracts and
** receipts) and line amounts. Integer arithmetic only: no floating point.
*/
#include "core/core.h"

#include <string.h>

/* Skip a currency sign (¥ U+00A5 or ￥ U+FFE5) at *p. */
static void skip_currency(const char **p) {
    if (strncmp(*p, "\xC2\xA5", 2) == 0)
        *p += 2;
    else if (strncmp(*p, "\xEF\xBF\xA5", 3) == 0)
        *p += 3;
}

/*
** Parse "1234", "1234.5", "-1,234.56", "¥1234.56", "-¥12" into fen. Commas, when
** used, must group the integer part by threes; at most two decimals, and at
** least one digit on each side of the point. No spaces. 0 ok, -1 malformed or
** out of range.
*/
int money_parse(const char *s, int64_t *fen) {
    if (!s) return -1;
    const char *p = s;
    skip_currency(&p);
    bool neg = *p == '-';
    if (neg) {
        p++;
        skip_currency(&p);
    }
    int64_t v = 0;
    int digits = 0, group = 0; /* digits so far; digits since the last comma */
    bool commas = false;
    for (; (*p >= '0' && *p <= '9') || *p == ','; p++) {
        if (*p == ',') {
            if (digits == 0 || (commas && group != 3) || (!commas && group > 3)) return -1;
            commas = true;
            group = 0;
            continue;
        }
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v)) return -1;
        digits++;
        group++;
    }
    if (digits == 0 || (commas && group != 3)) return -1;
    int64_t cents = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; *p >= '0' && *p <= '9'; p++, n++) {
            if (n == 2) return -1; /* more than two decimals */
            cents = cents * 10 + (*p - '0');
        }
        if (n == 0) return -1;
        if (n == 1) cents *= 10;
    }
    if (*p) return -1;
    if (__builtin_mul_overflow(v, 100, &v) || __builtin_add_overflow(v, cents, &v)) return -1;
    *fen = neg ? -v : v;
    return 0;
}

/* |fen| without overflow for INT64_MIN. */
static uint64_t magnitude(int64_t fen) { return fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen; }

/* "1,234.56", "-0.05", "0.00": an arena string. */
char *money_format(Arena *a, int64_t fen) {
    uint64_t m = magnitude(fen), yuan = m / 100;
    char digits[24], out[40];
    int nd = 0, n = 0;
    do {
        digits[nd++] = (char)('0' + yuan % 10);
        yuan /= 10;
    } while (yuan);
    if (fen < 0) out[n++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        out[n++] = digits[i];
        if (i > 0 && i % 3 == 0) out[n++] = ',';
    }
    out[n++] = '.';
    out[n++] = (char)('0' + m % 100 / 10);
    out[n++] = (char)('0' + m % 10);
    return arena_strndup(a, out, (size_t)n);
}

/* Capital digits 零..玖 and the units inside a group of four. */
static const char *const cn_digit[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
static const char *const cn_unit[] = {"", "拾", "佰", "仟"};

/*
** Append the yuan amount y (> 0) in capitals, following the financial
** convention: 壹拾 not 拾; one 零 for any run of zeros between non-zero
** digits, except that a zero in the 万 or 亿 position alone (101000 ->
** 壹拾万壹仟) writes none; 万 after a non-zero group of four, 亿 after
** everything at or above it.
*/
static void upper_yuan(Buf *b, uint64_t y) {
    int d[20], nd = 0;
    for (uint64_t v = y; v; v /= 10)
        d[nd++] = (int)(v % 10);
    bool zero = false; /* zeros skipped since the last digit written */
    for (int pos = nd - 1; pos >= 0; pos--) {
        if (d[pos]) {
            if (zero) buf_puts(b, cn_digit[0]);
            zero = false;
            buf_puts(b, cn_digit[d[pos]]);
            buf_puts(b, cn_unit[pos % 4]);
        } else if (pos % 4 != 0) {
            zero = true;
        }
        if (pos > 0 && pos % 4 == 0) {
            bool group = false; /* any non-zero digit in pos..pos+3 */
            for (int i = pos; i < pos + 4 && i < nd; i++)
                group |= d[i] != 0;
            if (pos % 8 == 4 && group)
                buf_puts(b, "万");
            else if (pos % 8 == 0)
                buf_puts(b, "亿"); /* the leading digit is non-zero, so something is above */
        }
    }
}

/*
** 大写 for fen: 12345.67 -> 壹万贰仟叁佰肆拾伍元陆角柒分, 100100.05 ->
** 壹拾万零壹佰元零伍分, 10 yuan -> 壹拾元整, 0.5 -> 伍角, 0 -> 零元整,
** negative values prefixed with 负. An arena string.
*/
char *money_upper(Arena *a, int64_t fen) {
    uint64_t m = magnitude(fen), yuan = m / 100;
    int jiao = (int)(m % 100 / 10), cent = (int)(m % 10);
    Buf b;
    buf_init(&b, a);
    if (m == 0) {
        buf_puts(&b, "零元整");
        return b.p;
    }
    if (fen < 0) buf_puts(&b, "负");
    if (yuan) {
        upper_yuan(&b, yuan);
        buf_puts(&b, "元");
    }
    if (!jiao && !cent) {
        buf_puts(&b, "整");
        return b.p;
    }
    if (jiao) {
        buf_puts(&b, cn_digit[jiao]);
        buf_puts(&b, "角");
    } else if (yuan) {
        buf_puts(&b, cn_digit[0]); /* 壹元零伍分 */
    }
    if (cent) {
        buf_puts(&b, cn_digit[cent]);
        buf_puts(&b, "分");
    }
    return b.p;
}

/*
** qty_milli / 1000 * unit_fen * (10000 - discount_bp) / 10000, rounded half
** away from zero. discount_bp must be 0..10000 (basis points of the price).
** 0 ok; -1 on overflow or a discount out of range (*out untouched).
*/
int money_muldiv(int64_t a, int64_t b, int64_t mul, int64_t div, int64_t *out) {
    __int128 ab, num;
    if (div <= 0 || __builtin_mul_overflow((__int128)a, (__int128)b, &ab) ||
        __builtin_mul_overflow(ab, (__int128)mul, &num))
        return -1;
    bool neg = num < 0;
    __int128 mag = neg ? -num : num;
    __int128 q = mag / div;
    if ((mag % div) * 2 >= div) /* half away from zero */
        q++;
    int64_t r;
    if (__builtin_mul_overflow(q, neg ? -1 : 1, &r)) return -1;
    *out = r;
    return 0;
}

int money_line_amount(int64_t qty_milli, int64_t unit_fen, int64_t discount_bp, int64_t *out) {
    if (discount_bp < 0 || discount_bp > 10000) return -1;
    int64_t gross; /* quantity in thousandths times unit price: fen * 1000 */
    if (__builtin_mul_overflow(qty_milli, unit_fen, &gross)) return -1;
    /* 1000 (thousandths) * 10000 (basis points) */
    return money_muldiv(gross, 10000 - discount_bp, 1, 10000000, out);
}
