#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// An append-only log of opaque records in checksummed, LZ4-compressed
/// segment files: the storage engine under PatientLedger.
///
/// Records get dense positions (0, 1, 2, ...) in append order and carry a
/// timestamp. A batch appended in one call is atomic across crashes. Data is
/// compressed in blocks of about ``LogOptions/blockBytes``; a sparse index per
/// segment finds any position with a binary search and one block read.
/// Every stored byte is covered by a CRC-32C. The format is specified in
/// `Docs/SegmentFormat.md`.
///
/// ```swift
/// let log = try SegmentLog.open(at: "/var/lib/clinic/log")
/// var batch = RecordBatch()
/// batch.append(timestamp: 1_767_340_800_000, payload: Array("visit".utf8))
/// let positions = try log.append(batch)          // e.g. 0..<1
/// try log.flush()                                // durable now
/// let record = try log.read(at: positions.lowerBound)
/// try log.close()
/// ```
///
/// **Threads.** `SegmentLog` is `Sendable`. Appends, flushes and closes are
/// serialized by an internal lock; reads run concurrently with them and with
/// each other and see a consistent prefix of whole batches. A writer handle
/// runs one thread of its own, which compresses, checksums and writes full
/// blocks while the appending thread fills the next (`BlockPipeline`), and
/// a dispatch queue for its commit timer and group-commit syncs; `close()`
/// (or `deinit`) ends both.
///
/// **Processes.** One writer per directory, enforced with an advisory `flock`
/// on the `LOCK` file (a second writer gets ``StorageError/Kind/locked``).
/// Any number of processes may open the log with ``LogOptions/readOnly``
/// beside it; they see what the writer has committed and call ``refresh()``
/// (tails do it for them) to see more.
public final class SegmentLog: Sendable {
    /// The log's directory.
    public let directory: String
    /// The options the log was opened with.
    public let options: LogOptions
    /// What opening the log found and did about a torn tail or damaged index.
    public let recoveryReport: RecoveryReport

    /// The random 16-byte identity written in every file of the log.
    package let logID: [UInt8]
    let fileSystem: FileSystem
    let publication: Publication
    /// The writer's state; nil inside for a read-only handle.
    let writer: Mutex<WriterState?>
    let readerPool = Mutex<[BlockReader]>([])
    let refreshGate = Mutex<Void>(())
    let lockFile: SystemFile?
    let timerQueue: DispatchQueue
    /// Serializes the segment syncs and keeps the first failure (see
    /// ``synchronizeSegment(_:)``).
    let syncGate = Mutex<StorageError?>(nil)

    /// What readers see: the committed segments and positions.
    struct Published {
        var segments: [SegmentView] = []
        var endPosition: UInt64 = 0
        var durablePosition: UInt64 = 0
        var maxTimestamp: Int64 = .min
        var closed = false
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var cancelledWaiters: Set<Int> = []
    }

    struct Waiter {
        var id: Int
        var durable: Bool
        var position: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    /// The writer's private state, under its lock.
    struct WriterState {
        var segment: Segment
        var indexFile: SystemFile
        var nextPosition: UInt64
        /// The block being filled.
        var builder: BlockBuilder
        /// Seals and writes full blocks; knows the write and durable offsets.
        let pipeline: BlockPipeline
        /// Active-segment entries already in its `.idx` file.
        var persistedEntries: Int
        var lastCheckpointOffset: Int64
        /// Record bytes appended since the last sync.
        var unsyncedBytes = 0
        var timerArmed = false
        /// A group commit started by ``SegmentLog/startSyncLocked(_:)`` has
        /// not begun yet.
        var syncRequested = false
        var failure: StorageError?
        var closed = false
    }

    // MARK: Opening and closing

    /// Opens the log in `directory`, creating it (and missing parent
    /// directories) when absent (unless
    /// ``LogOptions/createIfMissing`` is false or the handle is read-only),
    /// and recovers from an earlier crash.
    ///
    /// Recovery reads the segment headers and indexes and checks only what
    /// lies past the last index checkpoint: after a clean ``close()`` nothing
    /// is scanned; after a crash, the unflushed tail. A torn tail (a partial
    /// block, a checksum mismatch in the last batch, a batch never completed)
    /// is cut and reported in ``recoveryReport``; damage anywhere else throws.
    ///
    /// - Throws: ``StorageError`` of kind `.locked` (another writer),
    ///   `.notFound` (no log and not creating one), `.corruption` (file and
    ///   offset of the damage), `.unsupportedVersion` or `.io`.
    /// - Complexity: O(segments + index entries) plus the unflushed tail.
    public static func open(at directory: String, options: LogOptions = LogOptions()) throws(StorageError) -> SegmentLog {
        let opener = LogOpener(directory: directory, options: options)
        return try opener.open()
    }

    init(directory: String, options: LogOptions, logID: [UInt8], lockFile: SystemFile?,
         segments: [SegmentView], writer: WriterState?, report: RecoveryReport) {
        self.directory = directory
        self.options = options
        self.logID = logID
        self.lockFile = lockFile
        self.fileSystem = FileSystem(options.systemCalls)
        self.recoveryReport = report
        self.timerQueue = DispatchQueue(label: "PatientLedger.SegmentLog.commit")
        // The entries' running maxima are already set (LogOpener), so the
        // arrays are shared, not copied.
        var state = Published()
        state.segments = segments
        state.maxTimestamp = segments.last(where: { !$0.entries.isEmpty })?.entries.last?.runningMaxTimestamp ?? .min
        state.endPosition = segments.last?.endPosition ?? 0
        state.durablePosition = state.endPosition
        self.publication = Publication(state)
        self.writer = Mutex(writer)
        writer?.pipeline.start(self)
    }

    deinit {
        if !options.readOnly { try? close() }
    }

    /// Commits and syncs everything appended, writes the active segment's
    /// index, releases the writer lock and wakes every waiting tail (they
    /// finish). Further appends throw ``StorageError/Kind/closed``; reads of
    /// what is committed keep working. Calling it twice does nothing.
    ///
    /// - Throws: `.io` when the final write or sync fails (nothing appended
    ///   after the last durable point is then guaranteed).
    public func close() throws(StorageError) {
        var failure: StorageError?
        if !options.readOnly {
            do throws(StorageError) {
                try withWriter { (w: inout WriterState) throws(StorageError) in
                    guard !w.closed else { return }
                    defer {
                        w.closed = true
                        w.pipeline.stop()
                    }
                    if w.failure == nil {
                        try syncLocked(&w, checkpoint: true)
                    }
                }
            } catch {
                failure = error
            }
            if let lockFile { _ = lockFile.system.flock(lockFile.descriptor, operation: LOCK_UN) }
        }
        let waiters = publication.state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: false) }
        if let failure { throw failure }
    }

    // MARK: Positions

    /// The position after the last committed record: records `0..<endPosition`
    /// are readable. Thread-safe.
    public var endPosition: UInt64 { publication.state.withLock { $0.endPosition } }

    /// Records `0..<durablePosition` are durable (synced to disk).
    /// Thread-safe.
    public var durablePosition: UInt64 { publication.state.withLock { $0.durablePosition } }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { publication.state.withLock { $0.closed } }

    /// Whether the handle was opened read-only.
    public var isReadOnly: Bool { options.readOnly }
}

extension SegmentLog {
    /// Runs `body` under the writer lock. Throws `.readOnly` on a read-only handle.
    func withWriter<T>(_ body: (inout WriterState) throws(StorageError) -> T) throws(StorageError) -> T {
        guard !options.readOnly else { throw StorageError(.readOnly, path: directory, message: "log opened read-only") }
        return try writer.withLock { (slot: inout WriterState?) throws(StorageError) -> T in try body(&slot!) }
    }

    func withReader<T>(_ body: (BlockReader) throws(StorageError) -> T) throws(StorageError) -> T {
        let reader = checkOutReader()
        defer { checkInReader(reader) }
        return try body(reader)
    }

    /// A block reader from the pool (readers keep their grown buffers).
    func checkOutReader() -> BlockReader {
        readerPool.withLock { $0.popLast() } ?? BlockReader()
    }

    func checkInReader(_ reader: BlockReader) {
        readerPool.withLock { if $0.count < 8 { $0.append(reader) } }
    }
}
