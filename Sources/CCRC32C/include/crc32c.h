// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78).
//
// The checksum of every byte PatientLedger stores. `plg_crc32c_extend` picks
// the SSE4.2 instruction when the CPU has it and a slicing-by-8 table
// otherwise; both variants are exported so tests can check each against the
// standard vectors ("123456789" -> 0xE3069283).
#ifndef PATIENTLEDGER_CRC32C_H
#define PATIENTLEDGER_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Returns the CRC-32C of `data[0..<length]` appended to a message whose
/// CRC-32C is `crc` (pass 0 to start). Thread-safe, allocation-free.
uint32_t plg_crc32c_extend(uint32_t crc, const void *data, size_t length);

/// The portable table implementation (slicing-by-8).
uint32_t plg_crc32c_extend_portable(uint32_t crc, const void *data, size_t length);

/// The SSE4.2 implementation. Returns the portable result on CPUs without
/// SSE4.2, so it is always safe to call.
uint32_t plg_crc32c_extend_hardware(uint32_t crc, const void *data, size_t length);

/// 1 when `plg_crc32c_extend` uses the SSE4.2 instruction, else 0.
int plg_crc32c_hardware_available(void);

#ifdef __cplusplus
}
#endif

#endif
