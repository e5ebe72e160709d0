/// A stable 64-bit hash of identifier bytes: eight bytes at a time (read
/// little-endian, the last word zero-padded), each word mixed in with a
/// multiply and a shift, the length folded in, then MurmurHash3's fmix64
/// finalizer to spread the bits.
///
/// Stable across processes, machines and versions, unlike `Hasher`, because
/// hashes are persisted in index snapshots (a change of this function must
/// change the snapshot layout). Not cryptographic: every match is confirmed
/// against the stored event. Never returns 0 (the empty-slot marker).
enum IdentifierHash {
    static func hash(_ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ (UInt64(bytes.count) &* k)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            h = (h ^ word) &* k
            h ^= h >> 29
            offset += 8
        }
        if offset < bytes.count {
            var word: UInt64 = 0
            for i in offset..<bytes.count { word |= UInt64(bytes[i]) << UInt64((i - offset) * 8) }
            h = (h ^ word) &* k
            h ^= h >> 29
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h == 0 ? 1 : h
    }
}

/// The ledger-wide idempotency index: which event `id`s are stored, and
/// where.
///
/// An open-addressing table (linear probing, at most 80% full) of 8-byte
/// slots: the top 28 bits of the id's hash (its *tag*, which also picks the
/// bucket) and the position plus one in the low 36 bits (0 marks an empty
/// slot). About 10 bytes per stored id whatever the id's length; the ids
/// themselves stay in the log. A tag match is only a candidate: the caller
/// confirms it by reading the event at the position (``candidates(for:)``).
/// Holds positions below 2^36 - 1 (68 billion events). Not thread-safe; the
/// ledger guards it.
struct IdempotencyIndex {
    static let positionBits: UInt64 = 36
    static let positionMask: UInt64 = (1 << 36) - 1
    /// The largest position the index can hold.
    static let maxPosition: UInt64 = positionMask - 1

    private(set) var slots: [UInt64]
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while Double(size) * 0.8 < Double(capacity) { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
    }

    /// The table a snapshot stored verbatim (``slots``, empty slots
    /// included): no rehashing. The caller has checked that the size is a
    /// power of two, at least 16, and `count` its non-empty slots, at most
    /// 80% of them.
    init(table: [UInt64], count: Int) {
        precondition(table.count >= 16 && table.count & (table.count - 1) == 0 && Double(count) <= Double(table.count) * 0.8)
        slots = table
        self.count = count
    }

    /// The tag of a 64-bit id hash: its top 28 bits.
    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash >> 36 }

    /// Positions of stored events whose id has the same tag as `hash`.
    /// Allocates; ``firstCandidate(for:where:)`` does not.
    func candidates(for hash: UInt64) -> [UInt64] {
        var found: [UInt64] = []
        _ = firstCandidate(for: hash) { found.append($0); return false }
        return found
    }

    /// The first position with the same tag as `hash` for which `accept`
    /// returns true, trying each in probe order; nil when none does.
    func firstCandidate<E: Error>(for hash: UInt64, where accept: (UInt64) throws(E) -> Bool) throws(E) -> UInt64? {
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: tag) & mask
        while slots[slot] != 0 {
            if slots[slot] >> Self.positionBits == tag {
                let position = (slots[slot] & Self.positionMask) - 1
                if try accept(position) { return position }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The slot a lookup of `hash` reads first (to load it ahead of the lookup).
    @inline(__always)
    func firstSlot(for hash: UInt64) -> UInt64 { slots[Int(truncatingIfNeeded: Self.tag(hash)) & (slots.count - 1)] }

    /// Records that the event at `position` has an id hashing to `hash`.
    mutating func insert(hash: UInt64, position: UInt64) {
        precondition(position <= Self.maxPosition, "position beyond the idempotency index's range")
        insert(slot: Self.tag(hash) << Self.positionBits | (position + 1))
    }

    /// Inserts an encoded slot (tag and position + 1).
    mutating func insert(slot value: UInt64) {
        if Double(count + 1) > Double(slots.count) * 0.8 { grow() }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: value >> Self.positionBits) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = value
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for value in old where value != 0 { insert(slot: value) }
    }

    /// Bytes held, for measurements.
    var residentBytes: Int { slots.count * 8 }
}

/// The ids met earlier in one append's batch, by ``IdentifierHash``: an
/// open-addressing table (linear probing, at most half full) kept across
/// appends. Each slot carries the generation of the batch that wrote it, so
/// starting a batch clears nothing and a warmed-up table allocates nothing.
struct BatchIDTable {
    private struct Slot {
        var hash: UInt64 = 0
        var index: Int = 0
        var generation: UInt32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 64)
    private var generation: UInt32 = 1

    /// Starts a batch of `count` events.
    mutating func reset(count: Int) {
        generation &+= 1
        var size = slots.count
        while size < count * 2 { size *= 2 }
        if generation == 0 || size > slots.count {
            // Wrapped around (after 4 billion batches), or too small.
            slots = [Slot](repeating: Slot(), count: size)
            generation = 1
        }
    }

    /// The batch index first recorded with `hash`; when none, records
    /// `index` for it and returns nil.
    mutating func first(_ hash: UInt64, orRecord index: Int) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].generation == generation {
            if slots[slot].hash == hash { return slots[slot].index }
            slot = (slot + 1) & mask
        }
        slots[slot] = Slot(hash: hash, index: index, generation: generation)
        return nil
    }
}
