/// A stable 64-bit hash of identifier bytes (FNV-1a, then MurmurHash3's
/// fmix64 finalizer to spread the bits).
///
/// Stable across processes and versions, unlike `Hasher`, because hashes are
/// persisted in index snapshots. Not cryptographic: every match is confirmed
/// against the stored event. Never returns 0 (the empty-slot marker).
enum IdentifierHash {
    static func hash(_ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
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
/// An open-addressing table of (hash, position) pairs, 16 bytes a slot at a
/// load factor of at most 0.8, so about 20 bytes per stored id whatever the
/// id's length; the ids themselves stay in the log. A hash match is a
/// candidate only: the caller confirms it by reading the event at the
/// position (``candidates(for:)``). Not thread-safe; the ledger guards it.
struct IdempotencyIndex {
    private(set) var hashes: [UInt64]
    private(set) var positions: [UInt64]
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while Double(size) * 0.8 < Double(capacity) { size *= 2 }
        hashes = [UInt64](repeating: 0, count: size)
        positions = [UInt64](repeating: 0, count: size)
    }

    /// Positions of stored events whose id hashes like `hash`, in insertion
    /// order of their slots' probe sequence.
    func candidates(for hash: UInt64) -> [UInt64] {
        var found: [UInt64] = []
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == hash { found.append(positions[slot]) }
            slot = (slot + 1) & mask
        }
        return found
    }

    /// Records that the event at `position` has an id hashing to `hash`.
    mutating func insert(hash: UInt64, position: UInt64) {
        if Double(count + 1) > Double(hashes.count) * 0.8 { grow() }
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        positions[slot] = position
        count += 1
    }

    private mutating func grow() {
        let oldHashes = hashes, oldPositions = positions
        hashes = [UInt64](repeating: 0, count: oldHashes.count * 2)
        positions = [UInt64](repeating: 0, count: oldHashes.count * 2)
        count = 0
        for i in oldHashes.indices where oldHashes[i] != 0 {
            insert(hash: oldHashes[i], position: oldPositions[i])
        }
    }

    /// Every (hash, position) pair, for snapshots.
    func forEach(_ body: (UInt64, UInt64) -> Void) {
        for i in hashes.indices where hashes[i] != 0 { body(hashes[i], positions[i]) }
    }

    /// Bytes held, for measurements.
    var residentBytes: Int { hashes.count * 16 }
}
