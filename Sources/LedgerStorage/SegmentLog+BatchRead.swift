import Dispatch
import Synchronization

extension SegmentLog {
    /// Runs of at least this many blocks are read by two threads
    /// (``read(positions:_:)``): below it, handing work to a second thread
    /// costs more than it saves.
    static let parallelReadBlocks = 16

    /// A run of consecutive `positions` (indices `range`) that lie in one
    /// block, and the largest of them: the block is loaded once, decoded
    /// through `last`.
    struct BlockRun {
        var range: Range<Int>
        var location: BlockLocation
        var last: UInt64
    }

    /// The runs of `positions`, up to the first one that is not committed;
    /// then also the error to throw for it, once the runs before it are
    /// delivered.
    func blockRuns(_ positions: [UInt64]) -> (runs: [BlockRun], failure: StorageError?) {
        var runs: [BlockRun] = []
        for (i, position) in positions.enumerated() {
            if let run = runs.last, position >= run.location.entry.firstPosition, position < run.location.entry.endPosition {
                runs[runs.count - 1].range = run.range.lowerBound..<(i + 1)
                runs[runs.count - 1].last = max(run.last, position)
                continue
            }
            guard let location = locate(position) else {
                return (runs, StorageError(.invalidArgument, path: directory,
                                           message: "position \(position) is past the end of the log (\(endPosition))"))
            }
            runs.append(BlockRun(range: i..<(i + 1), location: location, last: position))
        }
        return (runs, nil)
    }

    /// Loads `run`'s block with `reader` and calls `body` with the record at
    /// each of its positions, in order.
    func read(_ run: BlockRun, of positions: [UInt64], with reader: BlockReader,
              _ body: (RecordView) throws -> Void) throws {
        try load(reader, run.location, through: run.last)
        for i in run.range {
            var found = false
            try reader.forEachRecord(from: positions[i]) { view in
                found = true
                try body(view)
                return false
            }
            guard found else {
                throw StorageError.corruption(run.location.segment.path, run.location.entry.fileOffset, "block lacks an indexed record")
            }
        }
    }

    /// ``read(positions:_:)`` of many blocks on two threads, `body` still
    /// called on the caller's thread in the order of `positions`.
    ///
    /// The caller takes runs from the front and passes their records to
    /// `body` as it goes; a helper on a global dispatch queue takes runs
    /// from the back and copies their records aside; where the two meet,
    /// the caller waits for the helper's current run (if any) and passes
    /// the copies on. Runs are claimed one at a time under a lock, so when
    /// the helper starts late (both cores busy) the caller simply takes
    /// more, down to all of them: never slower than one thread by more than
    /// the hand-off. Each thread uses its own reader from the pool; every
    /// block gets the same checks as on one thread, and errors surface in
    /// the same order. The helper has stopped before this returns or throws.
    func readInParallel(_ runs: [BlockRun], of positions: [UInt64], _ body: (RecordView) throws -> Void) throws {
        let shared = ParallelRead(log: self, runs: runs, positions: positions)
        DispatchQueue.global(qos: .userInitiated).async { shared.help() }
        defer { shared.stopAndWait() }
        let reader = checkOutReader()
        defer { checkInReader(reader) }
        while let i = shared.claimFront() {
            try read(runs[i], of: positions, with: reader, body)
        }
        shared.stopAndWait()
        try shared.deliverCopies(body)
    }
}

/// What the two threads of ``SegmentLog/readInParallel(_:of:_:)`` share.
///
/// The claims are under a lock. The helper alone writes `copies`,
/// `records` and `outcomes`, each for a run it has claimed; the caller
/// reads them only after the helper has marked that run done under the
/// same lock (which orders the writes before the reads).
private final class ParallelRead: @unchecked Sendable {
    struct Claims {
        /// The next run the caller takes; runs before it are the caller's.
        var front = 0
        /// The runs from `back` on are the helper's.
        var back: Int
        /// The helper is reading a run it claimed.
        var helperBusy = false
        /// The caller waits on `wake` for the helper to finish a run.
        var callerWaiting = false
    }

    enum Outcome {
        case pending
        /// Indices into `records`.
        case copied(Range<Int>)
        case failed(any Error)
    }

    let log: SegmentLog
    let runs: [SegmentLog.BlockRun]
    let positions: [UInt64]
    let claims: Mutex<Claims>
    let wake = DispatchSemaphore(value: 0)
    private var copies: [UInt8] = []
    private var records: [(position: UInt64, timestamp: Int64, start: Int, count: Int)] = []
    private var outcomes: [Outcome]

    init(log: SegmentLog, runs: [SegmentLog.BlockRun], positions: [UInt64]) {
        self.log = log
        self.runs = runs
        self.positions = positions
        claims = Mutex(Claims(back: runs.count))
        outcomes = Array(repeating: .pending, count: runs.count)
    }

    /// The caller's next run, or nil when the rest is the helper's.
    func claimFront() -> Int? {
        claims.withLock { c -> Int? in
            guard c.front < c.back else { return nil }
            c.front += 1
            return c.front - 1
        }
    }

    /// The helper: copies the records of runs from the back until the
    /// caller's front reaches them.
    func help() {
        var reader: BlockReader?
        defer { if let reader { log.checkInReader(reader) } }
        while let i = claims.withLock({ c -> Int? in
            guard c.front < c.back else { return nil }
            c.back -= 1
            c.helperBusy = true
            return c.back
        }) {
            let r = reader ?? log.checkOutReader()
            reader = r
            let first = records.count
            do {
                try log.read(runs[i], of: positions, with: r) { view in
                    records.append((view.position, view.timestamp, copies.count, view.payload.count))
                    copies.append(contentsOf: view.payload)
                }
                outcomes[i] = .copied(first..<records.count)
            } catch {
                outcomes[i] = .failed(error)
            }
            let wakeCaller = claims.withLock { c -> Bool in
                c.helperBusy = false
                defer { c.callerWaiting = false }
                return c.callerWaiting
            }
            if wakeCaller { wake.signal() }
        }
    }

    /// Takes no more runs on the caller's side (the helper then stops after
    /// its current run) and waits for the helper's current run.
    func stopAndWait() {
        while claims.withLock({ c -> Bool in
            c.front = c.back
            c.callerWaiting = c.helperBusy
            return c.helperBusy
        }) {
            wake.wait()
        }
    }

    /// Passes the helper's copies to `body`, in run order; throws a run's
    /// error in its place. Call after ``stopAndWait()``.
    func deliverCopies(_ body: (RecordView) throws -> Void) throws {
        let start = claims.withLock { $0.back }
        try copies.withUnsafeBytes { bytes in
            for i in start..<runs.count {
                switch outcomes[i] {
                case .copied(let range):
                    for record in records[range] {
                        try body(RecordView(position: record.position, timestamp: record.timestamp,
                                            payload: UnsafeRawBufferPointer(rebasing: bytes[record.start..<(record.start + record.count)])))
                    }
                case .failed(let error):
                    throw error
                case .pending:
                    preconditionFailure("run \(i) of a parallel read was neither read nor copied")
                }
            }
        }
    }
}
