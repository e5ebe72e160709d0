#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemCalls
import LedgerEvents

/// Scanned events held back so that a replay folds them patient by
/// patient rather than in log order.
///
/// In log order every event lands on a random patient's state: a cohort's
/// states (hundreds of MB, each a few dozen heap objects) fit no cache, and
/// each event pays several cache misses, most of a replay's time. The
/// built-in ``PatientProjections`` folds each patient apart from the others,
/// so any order that keeps each patient's own events and erasures in log
/// order gives the same states. A batch copies events as they are scanned
/// (payload, time, position: tens of bytes each) and hands them back
/// grouped by patient, in log order within a patient: consecutive events
/// then mostly share a state the cache holds.
///
/// Patients are grouped by the top ``groupBits`` bits of their
/// ``IdentifierHash``: two patients sharing them are interleaved, which
/// changes nothing (each still sees its own events in log order).
///
/// Its memory (``Storage``) is kept from one batch to the next, so the
/// pages of a replay's batches are faulted in once. Not a value type:
/// copies share the storage; one folder owns a batch.
struct PatientOrderedBatch: Sendable {
    /// The arena, the keys and the sort's scratch space, reused by every
    /// batch of a replay part.
    ///
    /// Raw memory rather than arrays: a scanned event is appended with one
    /// bounds check and a few stores (arrays checked uniqueness and capacity
    /// for each of an entry's four pieces), and the arena, which the drain
    /// reads at random, is asked for in 2 MB pages (`MADV_HUGEPAGE`), as
    /// are the keys: one TLB entry covers thousands of entries instead of
    /// a few dozen, and 128 MB is faulted in 64 times instead of 32,768
    /// (a one-thread replay of a 4.4 M-event cohort in one batch of about
    /// 270 MB was about 25% slower without).
    ///
    /// Used by one thread at a time (the folder that owns the batch), hence
    /// the unchecked `Sendable`.
    final class Storage: @unchecked Sendable {
        /// Each entry: its time (8 bytes), position (8), payload length with
        /// ``eraseFlag`` (4), the bytes of the id and actor left out of the
        /// payload (2), then the payload without its id and actor
        /// (``PatientEventView/copyWithoutIDAndActor(to:)``; for an
        /// erasure, the patient's UTF-8 bytes). Allocated as the first
        /// entry comes.
        var arena: UnsafeMutableRawPointer?
        var arenaSize = 0
        var used = 0
        /// Per entry: the patient's group (``groupBits`` bits of the hash)
        /// in the high bits, the entry's arena offset in the low 32. Sorted,
        /// they order the entries by group, then by offset, i.e. log order.
        var keys: UnsafeMutablePointer<UInt64>!
        var keyCapacity = 0
        var keyCount = 0
        /// The radix sort's other buffer, `keyCapacity` long.
        var scratch: UnsafeMutablePointer<UInt64>!

        deinit {
            free(arena)
            free(keys)
            free(scratch)
        }

        /// Makes room for an entry of `bytes` more arena bytes and one more
        /// key. Rare: the arena is sized for the batch's capacity plus a
        /// large record at its first use, the keys for the entries expected
        /// (then they double).
        @inline(never)
        func grow(arenaFor bytes: Int, minimumArena: Int, expectedEntries: Int) {
            if used + bytes > arenaSize {
                let size = max(minimumArena, used + bytes, arenaSize * 2)
                arena = Self.allocateArena(size, copying: arena, count: used)
                arenaSize = size
            }
            if keyCount == keyCapacity {
                let capacity = max(1 << 16, keyCapacity * 2, expectedEntries)
                let size = capacity * MemoryLayout<UInt64>.stride
                keys = Self.allocateArena(size, copying: keys.map(UnsafeMutableRawPointer.init), count: keyCount * 8)
                    .assumingMemoryBound(to: UInt64.self)
                free(scratch)
                scratch = Self.allocateArena(size, copying: nil, count: 0).assumingMemoryBound(to: UInt64.self)
                keyCapacity = capacity
            }
        }

        /// `size` bytes aligned to 2 MB, advised to be backed by huge pages
        /// (a hint: without transparent huge pages they are ordinary pages),
        /// holding the first `count` bytes of `old`, which is freed.
        private static func allocateArena(_ size: Int, copying old: UnsafeMutableRawPointer?, count: Int) -> UnsafeMutableRawPointer {
            let hugePage = 2 << 20
            let rounded = (size + hugePage - 1) & ~(hugePage - 1)
            var memory: UnsafeMutableRawPointer?
            guard posix_memalign(&memory, hugePage, rounded) == 0, let memory else {
                fatalError("out of memory for a replay batch of \(rounded) bytes")
            }
            #if canImport(Glibc)
            _ = madvise(memory, rounded, MADV_HUGEPAGE)
            #endif
            if let old {
                memory.copyMemory(from: old, byteCount: count)
                free(old)
            }
            return memory
        }
    }

    private let storage = Storage()

    /// Entries whose bytes are asked for ahead of folding them.
    private static let prefetchDistance = 8
    static let headerSize = 22
    private static let eraseFlag: UInt32 = 1 << 31
    /// Bits of a patient's hash that group its entries; the rest of a key
    /// holds the offset (below 2^32: ``capacity`` is below 2^31, and an
    /// entry past it at most a record of 64 MB).
    private static let groupBits: UInt64 = 22
    /// The radix sort's digits: two passes of 11 bits cover ``groupBits``.
    private static let digitBits: UInt64 = 11

    /// Bytes of entries held before ``isFull`` (below 2^31, the offsets'
    /// and lengths' range).
    let capacity: Int
    /// Entries a full batch is expected to hold: the keys' first capacity.
    let expectedEntries: Int

    /// The capacity of each of a replay's `parts` batches: room for the
    /// whole log when it fits in `memory` (``LedgerOptions/replayMemory``),
    /// else `memory` split between the parts.
    ///
    /// A log of `rawBytes` uncompressed bytes (the records with their
    /// framing) and `records` records takes at most `rawBytes` plus a
    /// header per record in entries; a part takes its share, with a margin
    /// for patients split unevenly by hash. A batch holding all of a
    /// part's events is drained once, at the end, as a closing fold
    /// (``PatientProjections/beginClosing(metricsAsOf:keepingStates:patients:)``):
    /// on a 4.4 M-event, 100,000-patient cohort, one batch replayed about
    /// 30% faster than batches of 128 MB.
    ///
    /// - Returns: the capacity (at least 64 KB, below 2^31 minus room for
    ///   one large record past it); the entries a batch that full holds,
    ///   about; and whether a part's share of the log fits one batch.
    static func replaySize(rawBytes: Int64, records: UInt64, parts: Int,
                           memory: Int) -> (capacity: Int, entries: Int, fitsOneBatch: Bool) {
        let whole = Double(rawBytes) + Double(records) * Double(headerSize)
        let share = parts == 1 ? whole : whole / Double(parts) * 1.125 + Double(1 << 20)
        let limit = min(Double(max(memory / parts, 1 << 16)), Double(maximumCapacity))
        let capacity = min(max(share, Double(1 << 16)), limit)
        let entries = whole > 0 ? Double(records) * min(capacity / whole, 1) : 0
        return (Int(capacity), Int(entries) + 1024, share <= limit)
    }

    /// The largest capacity: offsets and lengths stay below 2^31, with
    /// room for one record of the largest size (64 MB) past the capacity.
    static let maximumCapacity = (1 << 31) - (1 << 27)

    /// An empty batch holding up to `capacity` bytes of entries, about
    /// `expectedEntries` of them (allocated as the first entry comes).
    init(capacity: Int, expectedEntries: Int = 0) {
        precondition(capacity > 0 && capacity < 1 << 31, "batch capacity out of range")
        self.capacity = capacity
        self.expectedEntries = expectedEntries
    }

    /// Whether the batch should be drained before taking more.
    var isFull: Bool { storage.used >= capacity }

    var isEmpty: Bool { storage.keyCount == 0 }

    /// Holds back `event`, stored at `position`, whose patient's id has the
    /// ``IdentifierHash`` `patientHash`: without its id and actor, which
    /// the caller has checked (a replay folds neither). A replay's peak
    /// memory was 10% lower so on a generated cohort (short ids), 25% on
    /// events with UUID ids and an actor each; its speed did not change.
    /// An event whose id and actor take 64 KB or more is kept whole.
    @inline(__always)
    func add(_ event: PatientEventView, position: UInt64, patientHash: UInt64) {
        let left = event.idAndActorByteCount
        guard left < 1 << 16 else {
            append(hash: patientHash, time: event.time.millisecondsSince1970, position: position,
                   payload: event.payload, flag: 0)
            return
        }
        let at = reserve(hash: patientHash, time: event.time.millisecondsSince1970, position: position,
                         count: event.payload.count - left, flag: 0, left: left)
        event.copyWithoutIDAndActor(to: at)
    }

    /// Holds back the erasure of `patient`, in its place among the
    /// patient's events.
    func addErasure(of patient: String) {
        patient.withUTF8Bytes { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            append(hash: IdentifierHash.hash(bytes), time: 0, position: 0, payload: bytes, flag: Self.eraseFlag)
        }
    }

    @inline(__always)
    private func append(hash: UInt64, time: Int64, position: UInt64, payload: UnsafeRawBufferPointer, flag: UInt32) {
        let at = reserve(hash: hash, time: time, position: position, count: payload.count, flag: flag, left: 0)
        if let source = payload.baseAddress { at.copyMemory(from: source, byteCount: payload.count) }
    }

    /// Adds an entry's header and key for a payload of `count` bytes, with
    /// `left` bytes of id and actor left out of it; returns where its
    /// payload goes.
    @inline(__always)
    private func reserve(hash: UInt64, time: Int64, position: UInt64, count: Int, flag: UInt32,
                         left: Int) -> UnsafeMutableRawPointer {
        let s = storage
        let bytes = Self.headerSize + count
        if _slowPath(s.used + bytes > s.arenaSize || s.keyCount == s.keyCapacity) {
            // The capacity, a full-size record past it (the batch is
            // drained once past the capacity) and the huge page's rounding.
            s.grow(arenaFor: bytes, minimumArena: capacity + (1 << 16), expectedEntries: expectedEntries)
        }
        let offset = s.used
        let entry = s.arena.unsafelyUnwrapped + offset
        entry.storeBytes(of: time.littleEndian, as: Int64.self)
        entry.storeBytes(of: position.littleEndian, toByteOffset: 8, as: UInt64.self)
        entry.storeBytes(of: (UInt32(truncatingIfNeeded: count) | flag).littleEndian, toByteOffset: 16, as: UInt32.self)
        entry.storeBytes(of: UInt16(truncatingIfNeeded: left).littleEndian, toByteOffset: 20, as: UInt16.self)
        s.used = offset + bytes
        s.keys.unsafelyUnwrapped[s.keyCount] = (hash >> (64 - Self.groupBits)) << 32 | UInt64(truncatingIfNeeded: offset)
        s.keyCount += 1
        return entry + Self.headerSize
    }

    /// Sorts the keys as `sort()` would, by a radix sort of their group
    /// bits (two stable passes of 11 bits): the low bits, the offsets,
    /// already ascend. Several times faster than a comparison sort on a
    /// batch's million keys. Returns the buffer holding them sorted.
    private func sortKeys() -> UnsafeMutablePointer<UInt64> {
        let s = storage
        let buckets = 1 << Int(Self.digitBits)
        let passes = Int((Self.groupBits + Self.digitBits - 1) / Self.digitBits)
        var counts = [Int](repeating: 0, count: passes * buckets)
        counts.withUnsafeMutableBufferPointer { counts in
            @inline(__always) func digit(_ key: UInt64, _ pass: Int) -> Int {
                Int(truncatingIfNeeded: key >> (32 + UInt64(pass) * Self.digitBits)) & (buckets - 1)
            }
            let count = s.keyCount
            for i in 0..<count {
                let key = s.keys[i]
                for pass in 0..<passes { counts[pass * buckets + digit(key, pass)] += 1 }
            }
            var (from, to) = (s.keys!, s.scratch!)
            for pass in 0..<passes {
                var start = 0
                for b in pass * buckets..<(pass + 1) * buckets {
                    (counts[b], start) = (start, start + counts[b])
                }
                for i in 0..<count {
                    let key = from[i]
                    let b = pass * buckets + digit(key, pass)
                    to[counts[b]] = key
                    counts[b] += 1
                }
                swap(&from, &to)
            }
        }
        // After an even number of passes the keys are back in `keys`.
        return passes % 2 == 0 ? s.keys : s.scratch
    }

    /// Hands back every entry, grouped by patient and in log order within
    /// a patient: `event` with an event's payload (without its id and
    /// actor, whose bytes, `leftOut`, a body error's offset in the stored
    /// payload must be moved by), time and position, `erase` with an
    /// erased patient's id, and `groupEnd` after the last entry of each
    /// group (whose patients then have no entry left in the batch). Then
    /// empties the batch (keeping its memory for the next one).
    func drain(event: (_ payload: UnsafeRawBufferPointer, _ time: EventTime, _ position: UInt64, _ leftOut: Int) -> Void,
               erase: (_ patient: String) -> Void, groupEnd: () -> Void = {}) {
        let s = storage
        guard s.keyCount > 0 else { return }
        let keys = sortKeys()
        let count = s.keyCount
        let arena = UnsafeRawPointer(s.arena.unsafelyUnwrapped)
        @inline(__always) func entry(_ key: UInt64) -> UnsafeRawPointer {
            arena + Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
        }
        /// The first three cache lines of an entry (most of a ~150-byte
        /// event), asked for a few entries ahead: the entries lie at random
        /// in an arena larger than the CPU caches, so their misses overlap
        /// the folding of the entries before (a prefetch). A steady few
        /// lines per entry, not bursts, which would overrun the CPU's
        /// outstanding-miss slots and stall. (A prefetch never faults, past
        /// the entry's end included.)
        @inline(__always) func prefetch(_ i: Int) {
            let at = entry(keys[i])
            plg_prefetch_read(at)
            plg_prefetch_read(at + 64)
            plg_prefetch_read(at + 128)
        }
        for i in 0..<min(Self.prefetchDistance, count) { prefetch(i) }
        for i in 0..<count {
            if i + Self.prefetchDistance < count { prefetch(i + Self.prefetchDistance) }
            let at = entry(keys[i])
            let time = Int64(littleEndian: at.loadUnaligned(as: Int64.self))
            let position = UInt64(littleEndian: at.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let tagged = UInt32(littleEndian: at.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            let bytes = UnsafeRawBufferPointer(start: at + Self.headerSize, count: Int(tagged & ~Self.eraseFlag))
            if tagged & Self.eraseFlag != 0 {
                erase(String(decoding: bytes, as: UTF8.self))
            } else {
                let leftOut = UInt16(littleEndian: at.loadUnaligned(fromByteOffset: 20, as: UInt16.self))
                event(bytes, EventTime(millisecondsSince1970: time), position, Int(leftOut))
            }
            if i + 1 == count || keys[i + 1] >> 32 != keys[i] >> 32 { groupEnd() }
        }
        s.keyCount = 0
        s.used = 0
    }
}
