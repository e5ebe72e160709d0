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
/// Patients are grouped by 32 bits of their ``IdentifierHash``: two
/// patients sharing them are interleaved, which changes nothing (each
/// still sees its own events in log order).
struct PatientOrderedBatch {
    /// Each entry: its time (8 bytes), position (8), payload length with
    /// ``eraseFlag`` (4), then the payload (for an erasure, the patient's
    /// UTF-8 bytes).
    private var arena: [UInt8] = []
    /// Per entry: the patient's hash in the high 32 bits, the entry's arena
    /// offset in the low 32. Sorted, they order the entries by patient
    /// group, then by offset, i.e. log order.
    private var keys: [UInt64] = []

    /// Entries whose bytes are asked for at once, ahead of folding them.
    private static let prefetchDistance = 32
    private static let headerSize = 20
    private static let eraseFlag: UInt32 = 1 << 31

    /// Bytes of entries held before ``isFull`` (below 2^31, the offsets'
    /// and lengths' range).
    let capacity: Int

    /// What a replay's batches hold together, split between its threads
    /// (whose patients they split too, so each patient's events per batch
    /// stay the same): large enough that a batch holds several events of
    /// most patients of a large cohort (a 4.4 M-event, 100,000-patient
    /// cohort replays about 10% faster with 128 MB than with 48 MB, and no
    /// faster with more), small next to the states' memory.
    static let replayCapacity = 128 << 20

    /// An empty batch holding up to `capacity` bytes of entries (allocated
    /// as the first entry comes).
    init(capacity: Int) {
        precondition(capacity > 0 && capacity < 1 << 31, "batch capacity out of range")
        self.capacity = capacity
    }

    /// Whether the batch should be drained before taking more.
    var isFull: Bool { arena.count >= capacity }

    var isEmpty: Bool { keys.isEmpty }

    /// Holds back `event`, stored at `position`, whose patient's id has
    /// this ``IdentifierHash`` (the scan has it already).
    mutating func add(_ event: PatientEventView, position: UInt64, patientHash: UInt64) {
        append(patientHash: patientHash, time: event.time.millisecondsSince1970, position: position,
               payload: event.payload, flag: 0)
    }

    /// Holds back the erasure of `patient`, in its place among the
    /// patient's events.
    mutating func addErasure(of patient: String) {
        patient.withUTF8Bytes { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            append(patientHash: IdentifierHash.hash(bytes), time: 0, position: 0, payload: bytes, flag: Self.eraseFlag)
        }
    }

    private mutating func append(patientHash: UInt64, time: Int64, position: UInt64,
                                 payload: UnsafeRawBufferPointer, flag: UInt32) {
        if arena.capacity == 0 { arena.reserveCapacity(capacity + (1 << 16)) }
        let offset = arena.count
        keys.append(patientHash & 0xFFFF_FFFF_0000_0000 | UInt64(offset))
        // The header in one append (a tuple's 20 bytes, laid out as the
        // entry's), not one per field: each append checks the array's
        // uniqueness and capacity, a few percent of a replay's scan.
        let header = (time.littleEndian, position.littleEndian, (UInt32(payload.count) | flag).littleEndian)
        withUnsafeBytes(of: header) { bytes in
            assert(bytes.count == Self.headerSize)
            arena.append(contentsOf: bytes)
        }
        arena.append(contentsOf: payload)
    }

    /// Sorts ``keys`` as `keys.sort()` would, by a radix sort of their
    /// high 32 bits (three stable passes of 11 bits): the low bits, the
    /// offsets, already ascend. Several times faster than a comparison sort
    /// on a batch's million keys.
    private mutating func sortKeys() {
        let digitBits: UInt64 = 11, buckets = 1 << 11
        var counts = [Int](repeating: 0, count: 3 * buckets)
        var sorted = [UInt64](repeating: 0, count: keys.count)
        keys.withUnsafeMutableBufferPointer { keys in
            sorted.withUnsafeMutableBufferPointer { buffer in
                counts.withUnsafeMutableBufferPointer { counts in
                    @inline(__always) func digit(_ key: UInt64, _ pass: Int) -> Int {
                        Int(truncatingIfNeeded: key >> (32 + UInt64(pass) * digitBits)) & (buckets - 1)
                    }
                    for key in keys {
                        for pass in 0..<3 { counts[pass * buckets + digit(key, pass)] += 1 }
                    }
                    var (from, to) = (keys, buffer)
                    for pass in 0..<3 {
                        var start = 0
                        for b in pass * buckets..<(pass + 1) * buckets {
                            (counts[b], start) = (start, start + counts[b])
                        }
                        for key in from {
                            let b = pass * buckets + digit(key, pass)
                            to[counts[b]] = key
                            counts[b] += 1
                        }
                        swap(&from, &to)
                    }
                }
            }
        }
        // Three passes: the sorted keys are in the other buffer.
        swap(&keys, &sorted)
    }

    /// Hands back every entry, grouped by patient and in log order within
    /// a patient: `event` with an event's payload, time and position,
    /// `erase` with an erased patient's id. Then empties the batch (keeping
    /// its memory for the next one).
    mutating func drain(event: (_ payload: UnsafeRawBufferPointer, _ time: EventTime, _ position: UInt64) -> Void,
                        erase: (_ patient: String) -> Void) {
        sortKeys()
        arena.withUnsafeBytes { raw in
            var next = 0
            for (i, key) in keys.enumerated() {
                if i == next {
                    // The next entries' first two cache lines, asked for
                    // together: the entries lie at random in an arena larger
                    // than the CPU caches, so their misses overlap instead of
                    // costing one memory latency after another (a prefetch).
                    next = min(i + Self.prefetchDistance, keys.count)
                    for ahead in keys[i..<next] {
                        let offset = Int(truncatingIfNeeded: ahead & 0xFFFF_FFFF)
                        plg_prefetch_read(raw.baseAddress! + offset)
                        plg_prefetch_read(raw.baseAddress! + min(offset + 64, raw.count - 1))
                    }
                }
                let offset = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
                let time = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                let position = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                let tagged = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
                let start = offset + Self.headerSize
                let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<(start + Int(tagged & ~Self.eraseFlag))])
                if tagged & Self.eraseFlag != 0 {
                    erase(String(decoding: bytes, as: UTF8.self))
                } else {
                    event(bytes, EventTime(millisecondsSince1970: time), position)
                }
            }
        }
        keys.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }
}
