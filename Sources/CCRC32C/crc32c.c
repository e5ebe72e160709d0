// CRC-32C: SSE4.2 when available, slicing-by-8 otherwise. See include/crc32c.h.
#include "crc32c.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define PLG_X86 1
#include <nmmintrin.h>
#endif

static uint32_t table[8][256];
static int table_ready = 0;
static int hardware = -1;

// The SSE4.2 path runs three independent CRCs over three adjacent spans of
// LONG (then SHORT) bytes, because the crc32 instruction has a latency of 3
// cycles but a throughput of 1: one chain leaves two thirds of it idle. The
// three CRCs are then joined by "shifting" a CRC over the zero bytes of the
// spans after it (linear over GF(2), so a table per span length), as in
// Intel's paper "Fast CRC Computation for iSCSI Polynomial Using CRC32
// Instruction" and Mark Adler's crc32c.c. Shift tables: shift_long and
// shift_short map a CRC register to its value after LONG or SHORT zero bytes.
#define PLG_LONG 2048
#define PLG_SHORT 256
static uint32_t shift_long[4][256];
static uint32_t shift_short[4][256];

// The product of the 32x32 GF(2) matrix `mat` (column n = image of bit n)
// and the vector `vec`.
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    for (int n = 0; vec != 0; n++, vec >>= 1) {
        if (vec & 1) sum ^= mat[n];
    }
    return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = gf2_times(mat, mat[n]);
}

// Fills `table` so that, for a (pre-inverted) CRC register c, the XOR of
// table[k][byte k of c] is the register after `length` more zero bytes.
static void build_shift(uint32_t table_out[4][256], size_t length) {
    uint32_t op[32], square[32];
    // The operator for one zero bit: shift right, XOR the polynomial on a 1.
    op[0] = 0x82F63B78u;
    for (int n = 1; n < 32; n++) op[n] = 1u << (n - 1);
    // Square up to one zero byte (8 bits), then by binary powers of `length`.
    gf2_square(square, op);     // 2 bits
    gf2_square(op, square);     // 4 bits
    gf2_square(square, op);     // 8 bits: square holds one byte
    uint32_t result[32];
    for (int n = 0; n < 32; n++) result[n] = 1u << n;  // identity
    while (length != 0) {
        if (length & 1) {
            uint32_t product[32];
            for (int n = 0; n < 32; n++) product[n] = gf2_times(square, result[n]);
            for (int n = 0; n < 32; n++) result[n] = product[n];
        }
        length >>= 1;
        if (length != 0) {
            gf2_square(op, square);
            for (int n = 0; n < 32; n++) square[n] = op[n];
        }
    }
    for (uint32_t n = 0; n < 256; n++) {
        table_out[0][n] = gf2_times(result, n);
        table_out[1][n] = gf2_times(result, n << 8);
        table_out[2][n] = gf2_times(result, n << 16);
        table_out[3][n] = gf2_times(result, n << 24);
    }
}

static inline uint32_t shift(uint32_t table_in[4][256], uint32_t crc) {
    return table_in[0][crc & 0xFF] ^ table_in[1][(crc >> 8) & 0xFF] ^
           table_in[2][(crc >> 16) & 0xFF] ^ table_in[3][crc >> 24];
}

static void build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : (c >> 1);
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xFF] ^ (c >> 8);
            table[k][n] = c;
        }
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void plg_crc32c_init(void) {
    build_table();
#if PLG_X86
    build_shift(shift_long, PLG_LONG);
    build_shift(shift_short, PLG_SHORT);
    __builtin_cpu_init();
    hardware = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    hardware = 0;
#endif
}

uint32_t plg_crc32c_extend_portable(uint32_t crc, const void *data, size_t length) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_table();
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = ~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
        length--;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        uint32_t lo = (uint32_t)word ^ c;
        uint32_t hi = (uint32_t)(word >> 32);
        c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^ table[5][(lo >> 16) & 0xFF] ^
            table[4][lo >> 24] ^ table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
            table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
        p += 8;
        length -= 8;
    }
    while (length-- > 0) c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

#if PLG_X86
__attribute__((target("sse4.2")))
static uint32_t extend_sse42(uint32_t crc, const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *)data;
    uint64_t c = (uint32_t)~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    // Three chains at a time; each join shifts the running CRC over the
    // next span, XORs the second chain, then shifts over the third span.
    static const size_t spans[2] = {PLG_LONG, PLG_SHORT};
    for (int s = 0; s < 2; s++) {
        const size_t span = spans[s];
        while (length >= 3 * span) {
            uint64_t c1 = 0, c2 = 0;
            const uint8_t *end = p + span;
            do {
                uint64_t w0, w1, w2;
                memcpy(&w0, p, 8);
                memcpy(&w1, p + span, 8);
                memcpy(&w2, p + 2 * span, 8);
                c = _mm_crc32_u64(c, w0);
                c1 = _mm_crc32_u64(c1, w1);
                c2 = _mm_crc32_u64(c2, w2);
                p += 8;
            } while (p < end);
            uint32_t (*table_in)[256] = s == 0 ? shift_long : shift_short;
            c = shift(table_in, (uint32_t)c) ^ (uint32_t)c1;
            c = shift(table_in, (uint32_t)c) ^ (uint32_t)c2;
            p += 2 * span;
            length -= 3 * span;
        }
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        length -= 8;
    }
    while (length-- > 0) c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

int plg_crc32c_hardware_available(void) {
    if (hardware < 0) plg_crc32c_init();
    return hardware;
}

uint32_t plg_crc32c_extend_hardware(uint32_t crc, const void *data, size_t length) {
#if PLG_X86
    if (plg_crc32c_hardware_available()) return extend_sse42(crc, data, length);
#endif
    return plg_crc32c_extend_portable(crc, data, length);
}

uint32_t plg_crc32c_extend(uint32_t crc, const void *data, size_t length) {
#if PLG_X86
    if (hardware > 0) return extend_sse42(crc, data, length);
#endif
    return plg_crc32c_extend_portable(crc, data, length);
}
