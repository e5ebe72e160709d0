#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SegmentLog {
    /// Follows the log: yields every record from `position` on, then each new
    /// record as it is committed, until the log is closed or the task is
    /// cancelled.
    ///
    /// ```swift
    /// for try await record in log.tail(from: log.endPosition) {
    ///     print("new record", record.position)
    /// }
    /// ```
    ///
    /// On a read-only handle new records written by another process are
    /// picked up every ``LogOptions/pollInterval``.
    public func tail(from position: UInt64 = 0) -> LogTail {
        LogTail(log: self, position: position)
    }

    /// Waits until records `0..<position` are durable. Returns false when the
    /// log was closed or the task cancelled first.
    public func waitUntilDurable(_ position: UInt64) async -> Bool {
        await wait(durable: true, position: position)
    }

    /// Waits until a record at `position` or later is committed; false when
    /// the log closed or the task was cancelled first.
    func waitForCommit(beyond position: UInt64) async throws(StorageError) -> Bool {
        if isReadOnly {
            while !Task.isCancelled {
                try refresh()
                if endPosition > position { return true }
                if publication.state.withLock({ $0.closed }) { return false }
                do { try await Task.sleep(for: options.pollInterval) } catch { return false }
            }
            return false
        }
        return await wait(durable: false, position: position)
    }

    private func wait(durable: Bool, position: UInt64) async -> Bool {
        let id = publication.state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = publication.state.withLock { state -> Bool? in
                    let reached = durable ? state.durablePosition >= position : state.endPosition > position
                    if reached { return true }
                    if state.closed || state.cancelledWaiters.remove(id) != nil { return false }
                    state.waiters.append(Waiter(id: id, durable: durable, position: position, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = publication.state.withLock { state -> Waiter? in
                if let i = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: i) }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Picks up records and segments that another process committed since
    /// this read-only handle opened or last refreshed. Does nothing on the
    /// writer's handle (it always sees its own commits).
    ///
    /// Incomplete or torn data at the end is ignored (the writer may be
    /// writing it right now); damage in data a later block shows to be
    /// durable throws `.corruption`.
    public func refresh() throws(StorageError) {
        guard isReadOnly else { return }
        try refreshGate.withLock { (_: inout Void) throws(StorageError) in
            let (last, knownBases) = publication.state.withLock { state in
                (state.segments.last, Set(state.segments.map(\.base)))
            }
            var updatedLast: SegmentView?
            if let last {
                let size = try last.segment.file.size()
                if size > last.endOffset {
                    let scanned = try SegmentScanner(file: last.segment.file, reader: BlockReader())
                        .scan(from: last.endOffset, position: last.endPosition, fileSize: size)
                    // The writer may be writing the tail now; only bytes it
                    // showed to be durable are damage.
                    if let tail = scanned.tail, tail.isDamage {
                        throw StorageError.corruption(last.segment.path, tail.damageOffset, "\(tail.reason) in data that was durable")
                    }
                    if !scanned.entries.isEmpty {
                        var view = last
                        view.entries.append(contentsOf: scanned.entries)
                        view.endOffset = scanned.endOffset
                        view.endPosition = scanned.endPosition
                        updatedLast = view
                    }
                }
            }
            var added: [SegmentView] = []
            let names = try fileSystem.list(directory)
            let bases = names.compactMap { SegmentFormat.parseStem($0, suffix: SegmentFormat.segmentSuffix) }
                .filter { !knownBases.contains($0) }.sorted()
            var expected = (updatedLast ?? last)?.endPosition ?? 0
            for base in bases {
                // Only a segment that continues the sequence; a gap means the
                // writer is between sealing and the next refresh sees it.
                guard base == expected, let view = try loadReadOnlySegment(base, isLast: base == bases.last) else { break }
                added.append(view)
                expected = view.endPosition
            }
            guard updatedLast != nil || !added.isEmpty else { return }
            let resumed = publication.state.withLock { state -> [Waiter] in
                var running = state.maxTimestamp
                func stamp(_ view: inout SegmentView, from start: Int) {
                    for i in start..<view.entries.count {
                        running = max(running, view.entries[i].maxTimestamp)
                        view.entries[i].runningMaxTimestamp = running
                    }
                }
                if var view = updatedLast {
                    stamp(&view, from: state.segments[state.segments.count - 1].entries.count)
                    state.segments[state.segments.count - 1] = view
                }
                for var view in added {
                    stamp(&view, from: 0)
                    state.segments.append(view)
                }
                state.maxTimestamp = running
                state.endPosition = state.segments.last?.endPosition ?? 0
                state.durablePosition = state.endPosition
                return Publication.takeWaiters(&state)
            }
            for waiter in resumed { waiter.continuation.resume(returning: true) }
        }
    }

    /// Loads a segment that appeared since the last refresh, as opening
    /// would: its index where written, a scan of the rest, a torn or
    /// unfinished end ignored. Nil while its creation is still under way.
    private func loadReadOnlySegment(_ base: UInt64, isLast: Bool) throws(StorageError) -> SegmentView? {
        var ignored = RecoveryReport()
        return try LogOpener(directory: directory, options: options)
            .loadSegment(base: base, isLast: isLast, logID: logID, reader: BlockReader(), report: &ignored)
    }
}

/// An `AsyncSequence` of a log's records that waits for new ones at the end.
/// See ``SegmentLog/tail(from:)``.
public struct LogTail: AsyncSequence, Sendable {
    public typealias Element = LogRecord
    public typealias Failure = StorageError

    let log: SegmentLog
    let position: UInt64

    /// An iterator starting at the tail's first position.
    public func makeAsyncIterator() -> Iterator {
        Iterator(log: log, cursor: log.records(from: position))
    }

    /// The tail's iterator: reads what is committed, then waits for more.
    public struct Iterator: AsyncIteratorProtocol {
        let log: SegmentLog
        let cursor: LogCursor

        /// The next record, waiting for one when at the end; nil once the log is closed or the task cancelled.
        public mutating func next() async throws(StorageError) -> LogRecord? {
            while true {
                if let record = try cursor.next() { return record }
                guard try await log.waitForCommit(beyond: cursor.position) else { return nil }
            }
        }
    }
}
