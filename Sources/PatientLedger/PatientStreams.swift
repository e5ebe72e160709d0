import CSystemCalls

/// One patient's stream in the ``LedgerIndex``: a summary, with its
/// positions (in log order) held in the index's ``PositionArena``.
struct PatientStream: Sendable, Equatable {
    /// Events stored for the patient, erased ones and `erase` records included.
    var count: Int = 0
    /// The arena chunks holding the first and the last positions.
    var firstChunk: Int = 0
    var lastChunk: Int = 0
    /// The patient's last position.
    var last: UInt64 = 0
    /// The position of the patient's last `erase` record, if any: their
    /// events before it are hidden everywhere.
    var lastErase: UInt64?
    /// The largest event time (ms since 1970) among the visible records:
    /// those after the last `erase`, that erase record included.
    var latestVisibleTime: Int64 = .min

    /// The stream version used for optimistic concurrency: how many events
    /// the patient's stream holds (erasures do not rewind it).
    var version: UInt64 { UInt64(count) }

    /// Whether any event is visible: one was stored after the last erasure
    /// (the erase record itself is an audit record, not part of the history).
    var hasVisibleEvents: Bool { lastErase.map { last > $0 } ?? true }
}

/// The positions of every patient's stream, in fixed-size chunks chained per
/// patient, in pages allocated as the ledger grows.
///
/// One array per patient would grow by reallocation (doubling: a malloc and
/// a copy every few appends of a young patient, most of the append path's
/// allocations). Here an append writes one slot; a new chunk is taken from
/// the current page, and a new page (``pageChunks`` chunks) is allocated once
/// per ``pageChunks`` chunks: about one allocation per 57,000 positions. A
/// chunk holds ``chunkPositions`` positions and, in its last slot, the index
/// of the patient's next chunk.
///
/// A value type: the pages are shared between copies and copied on the
/// first write to a shared one (as the standard collections do).
struct PositionArena: @unchecked Sendable {
    /// Slots of a chunk: positions, then the link to the next chunk.
    static let chunkSlots = 8
    static let chunkPositions = chunkSlots - 1
    /// Chunks per page (512 KiB pages).
    static let pageChunks = 8192
    static let pageSlots = pageChunks * chunkSlots

    /// Owns the pages (frees them on deinit), and tells by its uniqueness
    /// whether they are shared with a copy of the arena.
    final class Owner {
        var pages: [UnsafeMutablePointer<UInt64>] = []

        /// An owner of copies of every page.
        func copy() -> Owner {
            let copy = Owner()
            for page in pages {
                copy.pages.append(PositionArena.allocatePage(copying: page))
            }
            return copy
        }

        // Raw, as ``PositionArena/allocatePage(copying:)`` allocates them.
        deinit { for page in pages { UnsafeMutableRawPointer(page).deallocate() } }
    }

    private var owner = Owner()
    /// `owner.pages`, read from here: a stored property of a class is
    /// checked for exclusive access at run time on every use, a struct's
    /// is not (that check was a tenth of opening a 10 M-event ledger).
    private var pages: [UnsafeMutablePointer<UInt64>] = []
    /// Chunks handed out.
    private(set) var chunks = 0

    /// A page aligned to a cache line, so that each 64-byte chunk is one
    /// cache line (with malloc's 16-byte alignment most chunks straddled
    /// two, and an append could miss twice): zeroed, or a copy of `source`.
    /// Freed by ``Owner``'s `deinit`, raw.
    fileprivate static func allocatePage(copying source: UnsafeMutablePointer<UInt64>? = nil) -> UnsafeMutablePointer<UInt64> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: pageSlots * 8, alignment: 64)
        if let source { return raw.initializeMemory(as: UInt64.self, from: source, count: pageSlots) }
        return raw.initializeMemory(as: UInt64.self, repeating: 0, count: pageSlots)
    }

    /// A new, empty chunk.
    private mutating func makeChunk() -> Int {
        if chunks == pages.count * Self.pageChunks {
            let page = Self.allocatePage()
            owner.pages.append(page)
            pages.append(page)
        }
        chunks += 1
        return chunks - 1
    }

    @inline(__always)
    private func slot(_ chunk: Int, _ slot: Int) -> UnsafeMutablePointer<UInt64> {
        pages[chunk / Self.pageChunks] + ((chunk % Self.pageChunks) * Self.chunkSlots + slot)
    }

    subscript(chunk: Int, slot: Int) -> UInt64 {
        get { self.slot(chunk, slot).pointee }
    }

    /// Starts loading the slot the next ``append(_:to:)`` to `stream` writes.
    @inline(__always)
    func prefetchAppend(to stream: PatientStream) {
        guard stream.count > 0 else { return }
        plg_prefetch_write(slot(stream.lastChunk, stream.count % Self.chunkPositions))
    }

    /// Adds `position` at the end of `stream`.
    @inline(__always)
    mutating func append(_ position: UInt64, to stream: inout PatientStream) {
        if !isKnownUniquelyReferenced(&owner) {
            owner = owner.copy()
            pages = owner.pages
        }
        let slot = stream.count % Self.chunkPositions
        if stream.count == 0 {
            stream.firstChunk = makeChunk()
            stream.lastChunk = stream.firstChunk
        } else if slot == 0 {
            let next = makeChunk()
            self.slot(stream.lastChunk, Self.chunkPositions).pointee = UInt64(next)
            stream.lastChunk = next
        }
        self.slot(stream.lastChunk, slot).pointee = position
        stream.count += 1
        stream.last = position
    }

    /// Calls `body` with each position of `stream` in order until it returns false.
    func forEach(in stream: PatientStream, _ body: (UInt64) -> Bool) {
        var chunk = stream.firstChunk
        var remaining = stream.count
        while remaining > 0 {
            for slot in 0..<min(remaining, Self.chunkPositions) {
                if !body(self[chunk, slot]) { return }
            }
            remaining -= Self.chunkPositions
            if remaining > 0 { chunk = Int(self[chunk, Self.chunkPositions]) }
        }
    }

    /// Every position of `stream`, in order.
    func positions(of stream: PatientStream) -> [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(stream.count)
        forEach(in: stream) { result.append($0); return true }
        return result
    }

    /// Bytes held, for measurements.
    var residentBytes: Int { pages.count * Self.pageSlots * 8 }
}

/// The per-patient index: patient id to stream, plus the idempotency index,
/// and the log position up to which both reflect the log.
///
/// Patients are interned: each gets a dense ordinal on its first record, and
/// its stream summary lives at that ordinal; positions live in one
/// ``PositionArena``. Adding a record of a known patient costs one
/// dictionary probe and writes one slot: no allocation once warmed.
///
/// Derived data: rebuilt from the log when its snapshot is missing or bad,
/// caught up from the snapshot's position on open. Not thread-safe; the
/// ledger guards it.
struct LedgerIndex {
    /// Patient id to ordinal.
    private var ordinals = PatientTable()
    /// Ordinal to patient id.
    private(set) var patients: [String] = []
    /// Ordinal to stream.
    private(set) var streams: [PatientStream] = []
    private(set) var arena = PositionArena()
    var ids = IdempotencyIndex()
    /// Records `0..<coveredPosition` are reflected.
    var coveredPosition: UInt64 = 0
    /// ``latestVisibleTime()``'s answer while known; nil when it must be
    /// computed again (at first, and after an erase lowered a stream's).
    private var latestCache: Int64?? = nil
    /// `erase` records added since this value was created (not persisted;
    /// a change counter for readers that cache which patients are erased).
    var eraseRecords = 0
    /// Patients with at least one erase record.
    private(set) var erasedPatients = 0

    /// The stages of loading ahead what ``add(position:patient:patientHash:idHash:isErase:time:)``
    /// will touch for one record: four to six cache lines at random places in
    /// tables far larger than the CPU's caches, each a memory latency when
    /// met cold. Each stage needs the line the one before loaded, so an
    /// adding loop calls ``prefetch(_:patientHash:idHash:)`` with
    /// ``tableSlots`` for a record several records ahead, ``patientEntries`` for
    /// one closer, and ``lastChunk`` for one closer still: the misses of a
    /// dozen records overlap, and each line arrives shortly before it is
    /// used, while its address translation is still cached. (Loading the
    /// whole batch's lines first, in tight loops, overlapped the misses too,
    /// but a thousand records' lines on random pages had evicted each
    /// other's translations, and many of the lines, by the time they were
    /// used.)
    enum PrefetchStage {
        /// The patient table slot and the idempotency slot.
        case tableSlots
        /// The patient's id (its 16-byte `String`: an id of up to 15 UTF-8
        /// bytes is held in it, a longer one's bytes elsewhere are not
        /// loaded) and stream summary, read through the table slot.
        case patientEntries
        /// The arena slot the patient's next position goes to (read
        /// through the stream summary).
        case lastChunk
    }

    /// Starts loading, without waiting, the lines of `stage` for a record of
    /// the patient whose ``IdentifierHash`` is `hash`, with an id hashing to
    /// `idHash` (0 for none). A hint: a patient not yet indexed, or whose
    /// first table slot holds another, is simply not loaded further.
    @inline(__always)
    func prefetch(_ stage: PrefetchStage, patientHash hash: UInt64, idHash: UInt64) {
        switch stage {
        case .tableSlots:
            ordinals.prefetchFirstSlot(for: hash)
            if idHash != 0 { ids.prefetchFirstSlot(for: idHash, forInsert: true) }
        case .patientEntries:
            guard let ordinal = ordinals.firstCandidate(for: hash, below: streams.count) else { return }
            patients.withUnsafeBufferPointer { plg_prefetch_read($0.baseAddress! + ordinal) }
            streams.withUnsafeBufferPointer {
                // A summary may straddle two lines: load both.
                let first = UnsafeRawPointer($0.baseAddress! + ordinal)
                plg_prefetch_write(first)
                plg_prefetch_write(first + (MemoryLayout<PatientStream>.size - 1))
            }
        case .lastChunk:
            guard let ordinal = ordinals.firstCandidate(for: hash, below: streams.count) else { return }
            arena.prefetchAppend(to: streams[ordinal])
        }
    }

    /// The stream of `patient`, nil when it has no record.
    func stream(of patient: String) -> PatientStream? {
        ordinals.find(patient, IdentifierHash.hash(patient), in: patients).map { streams[$0] }
    }

    /// Every position of `patient`, in log order (erased ones included).
    func positions(of patient: String) -> [UInt64] {
        stream(of: patient).map(arena.positions(of:)) ?? []
    }

    /// Positions of `patient`'s events still visible: those after the last
    /// erasure.
    func visiblePositions(of patient: String) -> [UInt64] {
        guard let stream = stream(of: patient) else { return [] }
        guard let erase = stream.lastErase else { return arena.positions(of: stream) }
        var result: [UInt64] = []
        arena.forEach(in: stream) { p in
            if p > erase { result.append(p) }
            return true
        }
        return result
    }

    /// Positions hidden by a later erasure of their patient, unsorted.
    func hiddenPositions() -> [UInt64] {
        var hidden: [UInt64] = []
        guard erasedPatients > 0 else { return hidden }
        for stream in streams {
            guard let erase = stream.lastErase else { continue }
            arena.forEach(in: stream) { p in
                guard p < erase else { return false }
                hidden.append(p)
                return true
            }
        }
        return hidden
    }

    /// The last `erase` position of each patient erased before `end`.
    func erasures(before end: UInt64) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        guard erasedPatients > 0 else { return result }
        for (ordinal, stream) in streams.enumerated() {
            if let erase = stream.lastErase, erase < end { result[patients[ordinal]] = erase }
        }
        return result
    }

    /// Patients with at least one visible event.
    var patientsWithVisibleEvents: Int { streams.reduce(0) { $0 + ($1.hasVisibleEvents ? 1 : 0) } }

    /// Adds the record at `position` (which must be `coveredPosition`).
    /// `patientHash` is ``IdentifierHash`` of `patient`, `idHash` of the
    /// event's id, if it has one;
    /// `time` is the record's event time in milliseconds since 1970.
    mutating func add(position: UInt64, patient: String, patientHash hash: UInt64, idHash: UInt64?, isErase: Bool, time: Int64) {
        precondition(position == coveredPosition, "index must advance in log order")
        let ordinal: Int
        if let known = ordinals.find(patient, hash, in: patients) {
            ordinal = known
        } else {
            ordinal = streams.count
            ordinals.insert(hash: hash, ordinal: ordinal)
            patients.append(patient)
            streams.append(PatientStream())
        }
        streams.withUnsafeMutableBufferPointer { streams in
            arena.append(position, to: &streams[ordinal])
            if isErase {
                if streams[ordinal].lastErase == nil { erasedPatients += 1 }
                streams[ordinal].lastErase = position
                streams[ordinal].latestVisibleTime = time
            } else {
                streams[ordinal].latestVisibleTime = max(streams[ordinal].latestVisibleTime, time)
            }
        }
        if isErase {
            eraseRecords += 1
            latestCache = nil
        } else if case .some(let latest) = latestCache {
            latestCache = .some(max(latest ?? time, time))
        }
        if let idHash { ids.insert(hash: idHash, position: position) }
        coveredPosition = position + 1
    }

    /// Adds a whole stream read from a snapshot: `positions` ascending and
    /// non-empty, `lastErase` one of them. Returns false, adding nothing,
    /// when the patient is already indexed.
    mutating func addStream(patient: String, positions: some Sequence<UInt64>, lastErase: UInt64?, latestVisibleTime: Int64) -> Bool {
        let hash = IdentifierHash.hash(patient)
        guard ordinals.find(patient, hash, in: patients) == nil else { return false }
        ordinals.insert(hash: hash, ordinal: streams.count)
        var stream = PatientStream()
        for p in positions { arena.append(p, to: &stream) }
        precondition(stream.count > 0, "a stream has a record")
        stream.lastErase = lastErase
        if lastErase != nil { erasedPatients += 1 }
        stream.latestVisibleTime = latestVisibleTime
        patients.append(patient)
        streams.append(stream)
        return true
    }

    /// Reserves room for `count` patients.
    mutating func reserveCapacity(patients count: Int) {
        ordinals.reserveCapacity(count)
        patients.reserveCapacity(count)
        streams.reserveCapacity(count)
    }

    /// The largest time among every patient's visible records (erase
    /// records included), or nil when the index holds no record. O(1) but
    /// after an erase (then O(patients) once).
    mutating func latestVisibleTime() -> Int64? {
        if case .some(let latest) = latestCache { return latest }
        var latest: Int64?
        for stream in streams { latest = max(latest ?? stream.latestVisibleTime, stream.latestVisibleTime) }
        latestCache = .some(latest)
        return latest
    }

    /// Whether the event at `position` of `patient` is hidden by a later erasure.
    func isErased(position: UInt64, patient: String) -> Bool {
        guard let erase = stream(of: patient)?.lastErase else { return false }
        return position < erase
    }

    /// Bytes held by the positions, the streams, the patient table and the
    /// id table (not the id strings), for ``LedgerStatistics/indexBytes``.
    var residentBytes: Int {
        arena.residentBytes + ids.residentBytes + ordinals.residentBytes
            + streams.capacity * MemoryLayout<PatientStream>.stride + patients.capacity * MemoryLayout<String>.stride
    }
}

/// Patient id to ordinal: an open-addressing table (linear probing, at most
/// 75% full) of 8-byte slots: the top 32 bits of the id's ``IdentifierHash``
/// (its tag, which also picks the bucket) and the ordinal plus one (0 marks
/// an empty slot). A tag match is confirmed against the patient list.
///
/// Replaces a `[String: Int]`: a Swift dictionary hashes the whole `String`
/// with SipHash and a per-process seed on every lookup, which was a fifth of
/// the append path; here the hash is a cheap FNV of the id's bytes.
struct PatientTable: Sendable {
    private var slots = [UInt64](repeating: 0, count: 16)
    private var count = 0

    /// The ordinal of `patient`, whose hash is `hash`, nil when absent.
    @inline(__always)
    func find(_ patient: String, _ hash: UInt64, in patients: [String]) -> Int? {
        let tag = hash >> 32
        let mask = slots.count - 1
        var slot = homeSlot(hash)
        while true {
            let value = slots[slot]
            if value == 0 { return nil }
            if value >> 32 == tag {
                let ordinal = Int(value & 0xFFFF_FFFF) - 1
                if patients[ordinal] == patient { return ordinal }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The slot a lookup or an insert of `hash` starts at (picked by its
    /// tag, the top 32 bits).
    @inline(__always)
    private func homeSlot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 32) & (slots.count - 1) }

    /// The slot a lookup of `hash` reads first.
    @inline(__always)
    func firstSlot(for hash: UInt64) -> UInt64 { slots[homeSlot(hash)] }

    /// Starts loading the slot a lookup of `hash` reads first.
    @inline(__always)
    func prefetchFirstSlot(for hash: UInt64) {
        slots.withUnsafeBufferPointer { plg_prefetch_read($0.baseAddress! + homeSlot(hash)) }
    }

    /// The ordinal in the slot a lookup of `hash` reads first, when that
    /// slot's tag matches and the ordinal is below `count` (a likely match,
    /// not confirmed: for loading its entries ahead of the lookup).
    @inline(__always)
    func firstCandidate(for hash: UInt64, below count: Int) -> Int? {
        let slot = firstSlot(for: hash)
        let ordinal = Int(slot & 0xFFFF_FFFF) - 1
        guard slot >> 32 == hash >> 32, ordinal >= 0, ordinal < count else { return nil }
        return ordinal
    }

    /// Adds a patient known to be absent.
    mutating func insert(hash: UInt64, ordinal: Int) {
        precondition(ordinal < 0xFFFF_FFFE, "more patients than the index can number")
        if (count + 1) * 4 > slots.count * 3 { resize(to: slots.count * 2) }
        put((hash >> 32) << 32 | UInt64(ordinal + 1))
        count += 1
    }

    /// Bytes held, for measurements.
    var residentBytes: Int { slots.count * 8 }

    mutating func reserveCapacity(_ patients: Int) {
        var size = slots.count
        while patients * 4 > size * 3 { size *= 2 }
        if size > slots.count { resize(to: size) }
    }

    private mutating func put(_ value: UInt64) {
        let mask = slots.count - 1
        var slot = homeSlot(value)  // the value's top 32 bits are the tag
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = value
    }

    private mutating func resize(to size: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: size)
        for value in old where value != 0 { put(value) }
    }
}
