extension SegmentLog {
    /// Where a position's block is.
    struct BlockLocation {
        var segment: Segment
        var entry: IndexEntry
    }

    /// Finds the block holding `position`, or nil when it is not committed.
    func locate(_ position: UInt64) -> BlockLocation? {
        publication.state.withLock { state -> BlockLocation? in
            guard position < state.endPosition else { return nil }
            var low = 0
            var high = state.segments.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if state.segments[mid].base <= position { low = mid } else { high = mid - 1 }
            }
            let view = state.segments[low]
            guard position >= view.base, position < view.endPosition, !view.entries.isEmpty else { return nil }
            return BlockLocation(segment: view.segment, entry: view.entries[view.entryIndex(containing: position)])
        }
    }

    /// Loads and checks the block at `location`. When the block is intact but
    /// is not the one the index entry names (a damaged index that passed its
    /// checksums), rebuilds the segment's entries from the segment and
    /// retries once: a damaged index never yields a wrong read.
    ///
    /// With `last`, the block is decompressed only as far as the record at
    /// `last` (see ``BlockReader/load(_:at:expected:decompress:through:)``).
    func load(_ reader: BlockReader, _ location: BlockLocation, through last: UInt64? = nil) throws(StorageError) {
        do throws(StorageError) {
            try reader.load(location.segment.file, at: location.entry.fileOffset, expected: location.entry, through: last)
        } catch where error.message == BlockReader.indexMismatch {
            guard try reindex(location.segment), let fixed = locate(location.entry.firstPosition) else { throw error }
            try reader.load(fixed.segment.file, at: fixed.entry.fileOffset, expected: fixed.entry, through: last)
        }
    }

    /// Replaces a segment's in-memory index with one scanned from the
    /// segment's committed blocks. Returns false when the scan does not
    /// reach the committed end intact (then the data is damaged).
    func reindex(_ segment: Segment) throws(StorageError) -> Bool {
        guard let view = publication.state.withLock({ state in state.segments.first { $0.segment === segment } }) else { return false }
        let scanned = try SegmentScanner(file: segment.file, reader: BlockReader())
            .scan(from: Int64(SegmentFormat.segmentHeaderLength), position: segment.base, fileSize: view.endOffset)
        guard scanned.tail == nil, scanned.endOffset == view.endOffset else { return false }
        publication.state.withLock { state in
            guard let i = state.segments.firstIndex(where: { $0.segment === segment }) else { return }
            let later = state.segments[i].entries.filter { $0.fileOffset >= view.endOffset }
            state.segments[i].entries = scanned.entries + later
            var running = Int64.min
            for s in state.segments.indices {
                for e in state.segments[s].entries.indices {
                    running = max(running, state.segments[s].entries[e].maxTimestamp)
                    state.segments[s].entries[e].runningMaxTimestamp = running
                }
            }
            state.maxTimestamp = running
        }
        return true
    }

    /// Reads the record at `position`.
    ///
    /// Reads and checks one block (header and payload checksums, its match
    /// with the index) and decompresses it as far as the record. Thread-safe.
    ///
    /// - Throws: `.invalidArgument` when `position >= endPosition`;
    ///   `.corruption` naming the segment file and block offset when the
    ///   block fails a check (never returns damaged bytes); `.io`.
    /// - Complexity: O(log blocks) plus one block read. Allocates the payload.
    public func read(at position: UInt64) throws(StorageError) -> LogRecord {
        guard let location = locate(position) else {
            throw StorageError(.invalidArgument, path: directory,
                               message: "position \(position) is past the end of the log (\(endPosition))")
        }
        return try withReader { (reader) throws(StorageError) -> LogRecord in
            try self.load(reader, location, through: position)
            var found: LogRecord?
            do {
                try reader.forEachRecord(from: position) { view in
                    found = view.copy()
                    return false
                }
            } catch let error as StorageError {
                throw error
            } catch {
                fatalError("unreachable")
            }
            guard let found else {
                throw StorageError.corruption(location.segment.path, location.entry.fileOffset, "block lacks an indexed record")
            }
            return found
        }
    }

    /// Calls `body` with the record at each of `positions`, in that order,
    /// reading and checking a block once for a run of positions that lie
    /// in it (a patient's stream read through an index: events close in
    /// time share a block). The views are valid only inside `body`.
    ///
    /// Each block is checked in full (both checksums cover every stored
    /// byte) but decompressed only as far as the last record the run needs.
    /// From ``parallelReadBlocks`` blocks on, a second thread reads about
    /// half of them (see ``readInParallel(_:of:_:)``); `body` is still
    /// called on the calling thread, in order.
    ///
    /// - Throws: what ``read(at:)`` throws, at the first position that
    ///   fails; what `body` throws.
    /// - Complexity: one block read per change of block along `positions`.
    public func read(positions: [UInt64], _ body: (RecordView) throws -> Void) throws {
        let (runs, failure) = blockRuns(positions)
        if runs.count >= Self.parallelReadBlocks {
            try readInParallel(runs, of: positions, body)
        } else {
            let reader = checkOutReader()
            defer { checkInReader(reader) }
            for run in runs { try read(run, of: positions, with: reader, body) }
        }
        if let failure { throw failure }
    }

    /// Calls `body` with every committed record from `start` up to (not
    /// including) `end`, in position order, without copying payloads.
    ///
    /// The views are valid only inside `body`. Return false from `body` to
    /// stop early. Records committed while the scan runs are included when
    /// `end` allows. Thread-safe; each block is read and checked once.
    ///
    /// ```swift
    /// var bytes = 0
    /// try log.scan(from: 0) { record in bytes += record.payload.count; return true }
    /// ```
    ///
    /// - Returns: the position after the last record passed to `body`.
    @discardableResult
    public func scan(from start: UInt64 = 0, to end: UInt64 = .max, _ body: (RecordView) throws -> Bool) throws -> UInt64 {
        let reader = checkOutReader()
        defer { checkInReader(reader) }
        var position = start
        while position < end, let location = locate(position) {
            try self.load(reader, location)
            var stopped = false
            try reader.forEachRecord(from: position) { view in
                guard view.position < end else { stopped = true; return false }
                position = view.position + 1
                if try !body(view) { stopped = true; return false }
                return true
            }
            if stopped { break }
        }
        return position
    }

    /// A cursor over committed records from `position` on.
    ///
    /// ```swift
    /// let cursor = log.records(from: 0)
    /// while let record = try cursor.next() { print(record.position, record.timestamp) }
    /// ```
    public func records(from position: UInt64 = 0) -> LogCursor {
        LogCursor(log: self, position: position)
    }

    /// The first position whose record has a timestamp `>= timestamp`, or
    /// ``endPosition`` when there is none.
    ///
    /// Timestamps need not increase along the log (events arrive late). As in
    /// Kafka's offsets-for-times, this is the *earliest* such position: every
    /// record before it has a smaller timestamp; records after it may too.
    /// Binary search over the index's running maximum, then one block read.
    public func position(ofFirstTimestampAtLeast timestamp: Int64) throws(StorageError) -> UInt64 {
        let found = publication.state.withLock { state -> (BlockLocation, UInt64)? in
            for view in state.segments where !view.entries.isEmpty {
                guard let last = view.entries.last, last.runningMaxTimestamp >= timestamp else { continue }
                var low = 0
                var high = view.entries.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if view.entries[mid].runningMaxTimestamp >= timestamp { high = mid } else { low = mid + 1 }
                }
                return (BlockLocation(segment: view.segment, entry: view.entries[low]), state.endPosition)
            }
            return nil
        }
        guard let (location, end) = found else { return endPosition }
        return try withReader { (reader) throws(StorageError) -> UInt64 in
            try self.load(reader, location)
            var result = end
            do {
                try reader.forEachRecord(from: location.entry.firstPosition) { view in
                    if view.timestamp >= timestamp { result = view.position; return false }
                    return true
                }
            } catch let error as StorageError {
                throw error
            } catch {
                fatalError("unreachable")
            }
            return result
        }
    }

    /// A cursor from the first record with a timestamp `>= timestamp`; see
    /// ``position(ofFirstTimestampAtLeast:)`` for what "first" means.
    public func records(fromTimestamp timestamp: Int64) throws(StorageError) -> LogCursor {
        LogCursor(log: self, position: try position(ofFirstTimestampAtLeast: timestamp))
    }
}

/// A single-pass, throwing iterator over a log's committed records.
///
/// Decompresses each block once and hands out its records in order; sees
/// records committed after it was created. Not thread-safe: use one cursor
/// per thread (the log itself is shared freely).
public final class LogCursor {
    let log: SegmentLog
    /// The position of the record the next call to ``next()`` returns.
    // The cursor is single-threaded by contract and none of its methods
    // re-enters another, so its state needs no dynamic exclusivity checks:
    // they cost about 75 instructions each, three per record.
    @exclusivity(unchecked) public private(set) var position: UInt64
    private let reader = BlockReader()
    @exclusivity(unchecked) private var slots: [(timestamp: Int64, start: Int, end: Int)] = []
    @exclusivity(unchecked) private var slotBase: UInt64 = 0

    init(log: SegmentLog, position: UInt64) {
        self.log = log
        self.position = position
    }

    /// The next record, or nil at the end of what is committed now.
    /// - Throws: `.corruption` naming file and offset, `.io`.
    public func next() throws(StorageError) -> LogRecord? {
        var record: LogRecord?
        guard try next({ record = $0.copy() }) else { return nil }
        return record
    }

    /// Calls `body` with the next record, in place in the decompressed
    /// block; returns false (without calling it) at the end of what is
    /// committed now.
    ///
    /// The view is valid only inside `body`. Allocation-free: the way to
    /// walk records one by one without ``next()``'s copy of each payload.
    /// Not generic on purpose: a generic result would be returned through
    /// unspecialized value witnesses when called from another module.
    /// - Throws: `.corruption` naming file and offset, `.io`.
    public func next(_ body: (RecordView) -> Void) throws(StorageError) -> Bool {
        var index = Int(truncatingIfNeeded: position &- slotBase)
        if position < slotBase || index >= slots.count {
            guard try loadBlock() else { return false }
            index = Int(truncatingIfNeeded: position &- slotBase)
            guard position >= slotBase && index < slots.count else { return false }
        }
        let slot = slots[index]
        let payload = reader.payload
        position += 1
        body(RecordView(position: position - 1, timestamp: slot.timestamp,
                        payload: UnsafeRawBufferPointer(rebasing: payload[slot.start..<slot.end])))
        return true
    }

    private func loadBlock() throws(StorageError) -> Bool {
        guard let location = log.locate(position) else { return false }
        try log.load(reader, location)
        slots.removeAll(keepingCapacity: true)
        slotBase = location.entry.firstPosition
        let base = reader.payload.baseAddress
        do {
            try reader.forEachRecord(from: slotBase) { view in
                let start = (base != nil && view.payload.baseAddress != nil) ? view.payload.baseAddress! - base! : 0
                slots.append((view.timestamp, start, start + view.payload.count))
                return true
            }
        } catch let error as StorageError {
            throw error
        } catch {
            fatalError("unreachable")
        }
        return true
    }
}
