#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

extension SegmentLog {
    /// Appends `batch` atomically and returns the positions it received.
    ///
    /// After a crash at any instant the batch is wholly present or wholly
    /// absent. When it is durable depends on ``LogOptions/durability``:
    /// before this returns with `.everyAppend`; within the group-commit
    /// interval with `.groupCommit`; at the next ``flush()`` with `.noSync`.
    /// It is visible to readers once committed (at the latest when durable).
    ///
    /// - Returns: the positions of the batch's records, in batch order.
    /// - Throws: `.invalidArgument` for an empty batch or a record over
    ///   64 MiB; `.readOnly`; `.closed`; `.io` when a write or sync fails,
    ///   after which every append throws `.writerFailed` until the log is
    ///   reopened (reopening recovers the tail).
    /// - Complexity: amortized O(bytes); allocation-free once the log's
    ///   buffers have grown to the block size.
    @discardableResult
    public func append(_ batch: RecordBatch) throws(StorageError) -> Range<UInt64> {
        guard !batch.isEmpty else { throw StorageError(.invalidArgument, message: "empty batch") }
        guard batch.largestRecord <= SegmentFormat.maxRecordLength else {
            throw StorageError(.invalidArgument, message: "record of \(batch.largestRecord) bytes exceeds the 64 MiB limit")
        }
        return try withWriter { (w: inout WriterState) throws(StorageError) -> Range<UInt64> in
            try checkWritable(&w)
            do throws(StorageError) {
                let written = w.pipeline.estimatedEnd
                if written + Int64(w.builder.rawCount) >= options.segmentBytes,
                   written > Int64(SegmentFormat.segmentHeaderLength) || !w.builder.isEmpty {
                    try rollLocked(&w)
                }
                let first = w.nextPosition
                let blockBytes = options.blockBytes
                try batch.forEach { (timestamp, payload) throws(StorageError) in
                    if !w.builder.isEmpty,
                       w.builder.rawCount + BlockBuilder.maxEncodedSize(payloadCount: payload.count) > blockBytes {
                        try writeBlockLocked(&w, batchEnd: w.builder.endsAtBatchBoundary)
                    }
                    // After the write, `w.builder` is another (empty) builder.
                    let builder = w.builder
                    builder.add(timestamp: timestamp, payload: payload)
                    builder.endsAtBatchBoundary = false
                }
                w.builder.endsAtBatchBoundary = true
                w.nextPosition += UInt64(batch.count)
                w.unsyncedBytes += batch.payloadBytes
                if w.builder.rawCount >= blockBytes {
                    try writeBlockLocked(&w, batchEnd: true)
                }
                switch options.durability {
                case .everyAppend:
                    try syncLocked(&w, checkpoint: false)
                case .groupCommit(let interval, let maxBytes):
                    if w.unsyncedBytes >= 2 * maxBytes {
                        // The syncs started below lag behind: sync here.
                        try syncLocked(&w, checkpoint: false)
                    } else if w.unsyncedBytes >= maxBytes {
                        startSyncLocked(&w)
                    } else {
                        armTimerLocked(&w, interval)
                    }
                case .noSync(let interval):
                    if !w.builder.isEmpty { armTimerLocked(&w, interval) }
                }
                return first..<(first + UInt64(batch.count))
            } catch {
                w.failure = error
                throw error
            }
        }
    }

    /// Appends one record; see ``append(_:)``.
    @discardableResult
    public func append<Bytes: Sequence<UInt8>>(timestamp: Int64, payload: Bytes) throws(StorageError) -> UInt64 {
        var batch = RecordBatch()
        batch.append(timestamp: timestamp, payload: payload)
        return try append(batch).lowerBound
    }

    /// Makes every record appended before the call visible to readers:
    /// writes the buffered records to the segment file, without syncing.
    /// Group commit and `noSync` do this within their interval by
    /// themselves; call it to read one's own appends at once. Nothing
    /// happens when nothing is buffered.
    ///
    /// - Throws: `.io` when the write fails (the writer then fails every
    ///   later call until reopened), `.closed`, `.readOnly`.
    public func commit() throws(StorageError) {
        try withWriter { (w: inout WriterState) throws(StorageError) in try commitWritableLocked(&w) }
    }

    /// ``commitLocked(_:)`` on a writer that must be usable; a failed
    /// write fails the writer.
    func commitWritableLocked(_ w: inout WriterState) throws(StorageError) {
        try checkWritable(&w)
        do throws(StorageError) {
            try commitLocked(&w)
        } catch {
            w.failure = error
            throw error
        }
    }

    /// Commits and syncs everything appended before the call, whatever the
    /// durability mode, and checkpoints the active segment's index.
    ///
    /// - Throws: `.io` when the write or sync fails (the writer then fails
    ///   every later call until reopened), `.closed`, `.readOnly`.
    public func flush() throws(StorageError) {
        try withWriter { (w: inout WriterState) throws(StorageError) in
            try checkWritable(&w)
            do throws(StorageError) {
                try syncLocked(&w, checkpoint: true)
            } catch {
                w.failure = error
                throw error
            }
        }
    }

    /// Throws when the writer is closed or failed. A write that failed on
    /// the block pipeline's thread fails the writer here, at the first call
    /// after it, with that write's error (then `.writerFailed`).
    func checkWritable(_ w: inout WriterState) throws(StorageError) {
        if w.closed { throw StorageError(.closed, path: directory, message: "log is closed") }
        if w.failure == nil, let error = w.pipeline.error {
            w.failure = error
            throw error
        }
        if let failure = w.failure {
            throw StorageError(.writerFailed, path: failure.path, offset: failure.offset, errno: failure.errno,
                               message: "an earlier write failed (\(failure.message)); reopen the log to recover")
        }
    }

    // MARK: - Under the writer lock

    /// Hands the builder's records to the pipeline as a block (sealed and
    /// written in the background; published when it ends a batch) and
    /// starts the next block.
    func writeBlockLocked(_ w: inout WriterState, batchEnd: Bool) throws(StorageError) {
        let next = w.builder.firstPosition &+ UInt64(w.builder.recordCount)
        w.builder = try w.pipeline.submit(w.builder, batchEnd: batchEnd)
        w.builder.reset(firstPosition: next)
        // An empty block ends where the written one did.
        w.builder.endsAtBatchBoundary = batchEnd
    }

    /// Writes the records buffered so far (which end at a batch boundary)
    /// and waits until every block is written and published.
    func commitLocked(_ w: inout WriterState) throws(StorageError) {
        precondition(w.builder.endsAtBatchBoundary)
        if !w.builder.isEmpty { try writeBlockLocked(&w, batchEnd: true) }
        try w.pipeline.drain()
    }

    /// Commits what is buffered (``commitLocked(_:)``), syncs the active
    /// segment, advances the durable position and, when due (or when
    /// `checkpoint`), writes the newly durable index entries.
    func syncLocked(_ w: inout WriterState, checkpoint: Bool) throws(StorageError) {
        try commitLocked(&w)
        let pipeline = w.pipeline
        guard pipeline.durableOffset < pipeline.writeOffset || checkpoint else { return }
        let end = publication.state.withLock { $0.endPosition }
        if pipeline.durableOffset < pipeline.writeOffset {
            try synchronizeSegment(w.segment.file)
            pipeline.durableOffset = pipeline.writeOffset
        }
        w.unsyncedBytes = 0
        publication.markDurable(end)
        if checkpoint || pipeline.durableOffset - w.lastCheckpointOffset >= options.indexCheckpointBytes {
            try checkpointIndexLocked(&w)
        }
    }

    /// Appends the durable, not yet persisted entries to the `.idx` file and
    /// syncs it. Every entry written describes a block already durable:
    /// those published past the durable offset (written while a group
    /// commit synced) wait for the next checkpoint.
    func checkpointIndexLocked(_ w: inout WriterState) throws(StorageError) {
        let durable = w.pipeline.durableOffset
        let entries = publication.state.withLock { state -> ArraySlice<IndexEntry> in
            let all = state.segments[state.segments.count - 1].entries
            var end = all.count
            while end > w.persistedEntries && all[end - 1].endOffset > durable { end -= 1 }
            return all[w.persistedEntries..<end]
        }
        guard !entries.isEmpty else { return }
        let bytes = SegmentIndexFile.encode(entries)
        let at = Int64(SegmentFormat.indexHeaderLength + w.persistedEntries * SegmentFormat.indexEntryLength)
        try w.indexFile.write(toAbsoluteOffset: at, bytes: bytes)
        try w.indexFile.synchronizeData()
        w.persistedEntries += entries.count
        w.lastCheckpointOffset = w.pipeline.durableOffset
    }

    /// Seals the active segment and starts a new one at the next position.
    ///
    /// Order: commit and sync the old segment and its index; create the new
    /// segment and index files, each header written and synced; sync the
    /// directory. A crash in between leaves at worst an empty or headerless
    /// last segment, which the next open removes.
    func rollLocked(_ w: inout WriterState) throws(StorageError) {
        try syncLocked(&w, checkpoint: true)
        let base = w.nextPosition
        let segment = try createSegmentFiles(base: base)
        w.segment = segment.segment
        w.indexFile = segment.index
        // Drained by the sync's commit above.
        w.pipeline.startSegment(segment.segment.file, offset: Int64(SegmentFormat.segmentHeaderLength))
        w.lastCheckpointOffset = Int64(SegmentFormat.segmentHeaderLength)
        w.persistedEntries = 0
        w.builder.reset(firstPosition: base)
        publication.state.withLock { state in
            state.segments.append(SegmentView(segment: segment.segment, entries: [],
                                              endOffset: Int64(SegmentFormat.segmentHeaderLength), endPosition: base))
        }
    }

    /// Creates `<base>.seg` and `<base>.idx` with synced headers, then syncs
    /// the directory.
    func createSegmentFiles(base: UInt64) throws(StorageError) -> (segment: Segment, index: SystemFile) {
        try Self.createSegmentFiles(directory: directory, base: base, logID: logID, system: options.systemCalls)
    }

    static func createSegmentFiles(directory: String, base: UInt64, logID: [UInt8], system: any SystemCalls) throws(StorageError) -> (segment: Segment, index: SystemFile) {
        let stem = directory + "/" + SegmentFormat.fileStem(base)
        let file = try SystemFile.open(stem + SegmentFormat.segmentSuffix, flags: O_RDWR | O_CREAT | O_TRUNC, system: system)
        let header = FileHeader(magic: SegmentFormat.segmentMagic, logID: logID, basePosition: base,
                                createdAtMillis: currentTimeMillis()).encoded()
        try file.write(toAbsoluteOffset: 0, bytes: header)
        try file.synchronizeData()
        let index = try SystemFile.open(stem + SegmentFormat.indexSuffix, flags: O_RDWR | O_CREAT | O_TRUNC, system: system)
        let indexHeader = SegmentIndexFile.header(logID: logID, base: base)
        try index.write(toAbsoluteOffset: 0, bytes: indexHeader)
        try index.synchronizeData()
        try FileSystem(system).synchronizeDirectory(directory)
        return (Segment(base: base, file: file, indexPath: stem + SegmentFormat.indexSuffix), index)
    }

    func armTimerLocked(_ w: inout WriterState, _ interval: Duration) {
        guard !w.timerArmed else { return }
        w.timerArmed = true
        let (seconds, attoseconds) = interval.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        timerQueue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            self?.timerFired()
        }
    }

    /// Syncs the active segment's data. Syncs are serialized and their
    /// failure is sticky: Linux reports a writeback error to one `fdatasync`
    /// of the file only, so a sync running beside a failed one (a group
    /// commit syncs outside the writer lock) must not report the lost pages
    /// as durable.
    func synchronizeSegment(_ file: SystemFile) throws(StorageError) {
        try syncGate.withLock { (failure: inout StorageError?) throws(StorageError) in
            if let failure { throw failure }
            do throws(StorageError) {
                try file.synchronizeData()
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Starts a group commit on the commit queue at once, without waiting
    /// for it (appends go on meanwhile); once per sync.
    func startSyncLocked(_ w: inout WriterState) {
        guard !w.syncRequested else { return }
        w.syncRequested = true
        timerQueue.async { [weak self] in self?.timerFired() }
    }

    /// The group-commit (or no-sync write-out) timer: writes out what is
    /// buffered and, with group commit, syncs it outside the writer lock
    /// (``syncOutsideLock(_:)``).
    func timerFired() {
        let target = try? withWriter { (w: inout WriterState) throws(StorageError) -> SyncTarget? in
            w.timerArmed = false
            w.syncRequested = false
            guard !w.closed, w.failure == nil else { return nil }
            do throws(StorageError) {
                try commitLocked(&w)
            } catch {
                w.failure = error
                return nil
            }
            guard case .groupCommit = options.durability else { return nil }
            return syncTargetLocked(&w)
        }
        guard let target = target ?? nil else { return }
        try? syncOutsideLock(target)
    }

    /// Commits and syncs every record appended before the call, like
    /// ``flush()``, but syncs the file outside the writer lock, so appends
    /// go on during the `fdatasync` (the ledger's background index
    /// snapshot uses it: a snapshot may describe durable records only).
    /// The segment index is checkpointed only when due, not forced.
    ///
    /// - Throws: as ``flush()``; a failed sync fails the writer.
    public func flushWithoutBlockingAppends() throws(StorageError) {
        let target = try withWriter { (w: inout WriterState) throws(StorageError) -> SyncTarget? in
            try commitWritableLocked(&w)
            return syncTargetLocked(&w)
        }
        if let target { try syncOutsideLock(target) }
    }

    /// What a sync outside the writer lock makes durable: the active
    /// segment up to the offset written so far, hence the records before
    /// `end` (earlier segments were synced when they rolled).
    struct SyncTarget {
        var segment: Segment
        var offset: Int64
        var end: UInt64
        var bytes: Int
    }

    /// The sync that would make everything committed durable; nil when it
    /// already is. Call after ``commitLocked(_:)``.
    func syncTargetLocked(_ w: inout WriterState) -> SyncTarget? {
        guard w.pipeline.durableOffset < w.pipeline.writeOffset else { return nil }
        return SyncTarget(segment: w.segment, offset: w.pipeline.writeOffset,
                          end: publication.state.withLock { $0.endPosition }, bytes: w.unsyncedBytes)
    }

    /// Syncs without the writer lock, as LevelDB's writer does: the target
    /// was noted under the lock; the file is synced while appends go on;
    /// under the lock again what is durable is recorded (unless a roll or
    /// close synced it meanwhile). A failed sync fails the writer, and is
    /// thrown.
    func syncOutsideLock(_ target: SyncTarget) throws(StorageError) {
        var failure: StorageError?
        do throws(StorageError) { try synchronizeSegment(target.segment.file) } catch { failure = error }
        try withWriter { (w: inout WriterState) throws(StorageError) in
            if let failure {
                if w.failure == nil { w.failure = failure }
                return
            }
            guard !w.closed, w.failure == nil, w.segment.base == target.segment.base else { return }
            if w.pipeline.durableOffset < target.offset { w.pipeline.durableOffset = target.offset }
            // Bytes appended during the sync stay counted (the bound on
            // what is unsynced holds while a sync runs).
            w.unsyncedBytes = max(0, w.unsyncedBytes - target.bytes)
            publication.markDurable(target.end)
            if w.pipeline.durableOffset - w.lastCheckpointOffset >= options.indexCheckpointBytes {
                do throws(StorageError) { try checkpointIndexLocked(&w) } catch { w.failure = error }
            }
        }
        if let failure { throw failure }
    }
}

package func currentTimeMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
