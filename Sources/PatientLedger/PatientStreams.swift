/// One patient's stream: the log positions of their events, in log order.
struct PatientStream: Sendable, Equatable {
    /// Every stored event of the patient, erased ones and `erase` records included.
    var positions: [UInt64] = []
    /// The position of the patient's last `erase` record, if any: their
    /// events before it are hidden everywhere.
    var lastErase: UInt64?
    /// The largest event time (ms since 1970) among the visible records:
    /// those after the last `erase`, that erase record included. nil when
    /// the patient has no record.
    var latestVisibleTime: Int64?

    /// The stream version used for optimistic concurrency: how many events
    /// the patient's stream holds (erasures do not rewind it).
    var version: UInt64 { UInt64(positions.count) }

    /// Positions of the events still visible: those after the last erasure
    /// (the erase record itself is an audit record, not part of the history).
    var visiblePositions: ArraySlice<UInt64> {
        guard let lastErase else { return positions[...] }
        let start = positions.firstIndex { $0 > lastErase } ?? positions.count
        return positions[start...]
    }
}

/// The per-patient index: patient id to stream, plus the idempotency index,
/// and the log position up to which both reflect the log.
///
/// Derived data: rebuilt from the log when its snapshot is missing or bad,
/// caught up from the snapshot's position on open. Not thread-safe; the
/// ledger guards it.
struct LedgerIndex {
    var streams: [String: PatientStream] = [:]
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
    var erasedPatients: Int { streams.values.reduce(0) { $0 + ($1.lastErase == nil ? 0 : 1) } }

    /// Adds the record at `position` (which must be `coveredPosition`).
    /// `time` is the record's event time in milliseconds since 1970.
    mutating func add(position: UInt64, patient: String, id: String?, isErase: Bool, time: Int64) {
        precondition(position == coveredPosition, "index must advance in log order")
        // One hash lookup: the default subscript's modify accessor.
        Self.update(&streams[patient, default: PatientStream()], position: position, isErase: isErase, time: time)
        if isErase {
            eraseRecords += 1
            latestCache = nil
        } else if case .some(let latest) = latestCache {
            latestCache = .some(max(latest ?? time, time))
        }
        if let id { ids.insert(hash: IdentifierHash.hash(id), position: position) }
        coveredPosition = position + 1
    }

    @inline(__always)
    private static func update(_ stream: inout PatientStream, position: UInt64, isErase: Bool, time: Int64) {
        stream.positions.append(position)
        if isErase {
            stream.lastErase = position
            stream.latestVisibleTime = time
        } else {
            stream.latestVisibleTime = max(stream.latestVisibleTime ?? time, time)
        }
    }

    /// The largest time among every patient's visible records (erase
    /// records included), or nil when the index holds no record. O(1) but
    /// after an erase (then O(patients) once).
    mutating func latestVisibleTime() -> Int64? {
        if case .some(let latest) = latestCache { return latest }
        var latest: Int64?
        for stream in streams.values {
            if let t = stream.latestVisibleTime { latest = max(latest ?? t, t) }
        }
        latestCache = .some(latest)
        return latest
    }

    /// Whether the event at `position` of `patient` is hidden by a later erasure.
    func isErased(position: UInt64, patient: String) -> Bool {
        guard let erase = streams[patient]?.lastErase else { return false }
        return position < erase
    }
}
