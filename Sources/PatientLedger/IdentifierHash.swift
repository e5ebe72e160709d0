import CSystemCalls
import LedgerEvents

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
        text.withUTF8Bytes { hash(UnsafeRawBufferPointer($0)) }
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
            // The last 1-7 bytes as a little-endian word, zero-padded: the
            // 8 bytes ending at the end, shifted down past the ones already
            // mixed in (one load, not a loop), when there are 8.
            let tail = bytes.count - offset
            var word: UInt64 = 0
            if bytes.count >= 8 {
                word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)) >> UInt64((8 - tail) * 8)
            } else if tail >= 4 {
                // 4 to 7 bytes (short patient ids): their first four and
                // last four, overlapping, each put in its place (the
                // shared bytes are equal, so or-ing them changes nothing).
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: tail - 4, as: UInt32.self))
                word = UInt64(low) | UInt64(high) << UInt64((tail - 4) * 8)
            } else {
                for i in 0..<tail { word |= UInt64(bytes[offset + i]) << UInt64(i * 8) }
            }
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
/// An open-addressing table (linear probing, at most 80% full) of 16-byte
/// slots: the id's whole 64-bit ``IdentifierHash`` and the event's position
/// plus one (a zero hash marks an empty slot; hashes are never 0). About 20
/// to 40 bytes per stored id whatever the id's length; the ids themselves
/// stay in the log. A hash match is only a candidate: the caller confirms it
/// by reading the event at the position (``firstCandidate(for:where:)``).
///
/// Why the whole hash. Layouts up to 4 kept 8-byte slots: a 28-bit tag of
/// the hash (which also picked the bucket) beside a 36-bit position. The
/// bucket bits were thus part of the tag, so an id new to the ledger met a
/// stored id with its tag in about `count / 2^28` of lookups (0.4% at a
/// million ids, 4% at ten million), and every such false candidate cost a
/// block read and decompression to refute. With the whole hash, the bucket
/// comes from the low bits, the table can still be rehashed when it grows,
/// and a false candidate takes a 64-bit collision (about `probes / 2^64`
/// per lookup): in practice only true duplicates are read back.
///
/// Stored slot by slot in the index snapshot (layout 5). Not thread-safe;
/// the ledger guards it.
struct IdempotencyIndex {
    /// `2 * size` words: slot `i` is `hash` at `2i`, `position + 1` at `2i + 1`.
    private(set) var words: [UInt64]
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while Double(size) * 0.8 < Double(capacity) { size *= 2 }
        words = [UInt64](repeating: 0, count: 2 * size)
    }

    /// The table a snapshot stored (``words``, each entry back in its
    /// slot): no rehashing. The caller has checked that it holds a power of
    /// two slots, at least 16, and that `count`, at most 80% of them, are
    /// occupied.
    init(words: [UInt64], count: Int) {
        let size = words.count / 2
        precondition(words.count % 2 == 0 && size >= 16 && size & (size - 1) == 0 && Double(count) <= Double(size) * 0.8)
        self.words = words
        self.count = count
    }

    /// Slots in the table (occupied or not).
    var size: Int { words.count / 2 }

    /// Positions of stored events whose id has the hash `hash`.
    /// Allocates; ``firstCandidate(for:where:)`` does not.
    func candidates(for hash: UInt64) -> [UInt64] {
        var found: [UInt64] = []
        _ = firstCandidate(for: hash) { found.append($0); return false }
        return found
    }

    /// The first position stored with `hash` for which `accept` returns
    /// true, trying each in probe order; nil when none does.
    func firstCandidate<E: Error>(for hash: UInt64, where accept: (UInt64) throws(E) -> Bool) throws(E) -> UInt64? {
        let mask = size - 1
        var slot = homeSlot(hash)
        while words[2 &* slot] != 0 {
            if words[2 &* slot] == hash {
                let position = words[2 &* slot &+ 1] &- 1
                if try accept(position) { return position }
            }
            slot = (slot &+ 1) & mask
        }
        return nil
    }

    /// The slot a lookup or an insert of `hash` starts at.
    @inline(__always)
    private func homeSlot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (size - 1) }

    /// Starts loading the slot a lookup of `hash` reads first (`forInsert`:
    /// and an insert will write).
    @inline(__always)
    func prefetchFirstSlot(for hash: UInt64, forInsert: Bool = false) {
        words.withUnsafeBufferPointer {
            let slot = $0.baseAddress! + 2 &* homeSlot(hash)
            if forInsert { plg_prefetch_write(slot) } else { plg_prefetch_read(slot) }
        }
    }

    /// Records that the event at `position` has an id hashing to `hash`
    /// (never 0: ``IdentifierHash`` does not return it).
    mutating func insert(hash: UInt64, position: UInt64) {
        precondition(hash != 0 && position < UInt64.max, "an id hash of 0 or a position past the index's range")
        if Double(count + 1) > Double(size) * 0.8 { grow() }
        place(hash: hash, positionPlusOne: position + 1)
        count += 1
    }

    /// Puts an entry in the first empty slot of its probe sequence.
    private mutating func place(hash: UInt64, positionPlusOne: UInt64) {
        let mask = size - 1
        var slot = homeSlot(hash)
        while words[2 &* slot] != 0 { slot = (slot &+ 1) & mask }
        words[2 &* slot] = hash
        words[2 &* slot &+ 1] = positionPlusOne
    }

    private mutating func grow() {
        let old = words
        words = [UInt64](repeating: 0, count: 2 * old.count)
        for i in stride(from: 0, to: old.count, by: 2) where old[i] != 0 {
            place(hash: old[i], positionPlusOne: old[i + 1])
        }
    }

    /// Calls `body` with each occupied slot's index, hash and position, in
    /// slot order.
    func forEachEntry(_ body: (_ slot: Int, _ hash: UInt64, _ position: UInt64) -> Void) {
        words.withUnsafeBufferPointer { words in
            for slot in 0..<(words.count / 2) where words[2 &* slot] != 0 {
                body(slot, words[2 &* slot], words[2 &* slot &+ 1] &- 1)
            }
        }
    }

    /// Bytes held, for measurements.
    var residentBytes: Int { words.count * 8 }
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
