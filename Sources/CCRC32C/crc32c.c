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
