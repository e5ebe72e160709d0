/// When appended records become durable (survive an operating-system crash
/// or power loss).
///
/// In every mode a batch is atomic: after a crash it is wholly present or
/// wholly absent. Records become *visible* (readable, followed by tails) when
/// they are *committed*, that is written to the segment file; they become
/// *durable* when the file is synced. ``SegmentLog/flush()`` commits and
/// syncs everything appended before it, whatever the mode.
public enum Durability: Sendable, Equatable {
    /// Each `append` writes its batch and calls `fdatasync` before it
    /// returns: a returned append is durable. About one sync per append
    /// (a few hundred microseconds on an SSD).
    case everyAppend

    /// Group commit: `append` returns once the batch is buffered; buffered
    /// batches are written and synced together at most `interval` after the
    /// first of them, or as soon as `maxBytes` of records are pending,
    /// whichever comes first. The sync runs on the log's commit queue while
    /// appends go on; an append that finds twice `maxBytes` pending (the
    /// syncs lag behind) syncs before it returns, which bounds what a crash
    /// of the machine can take. ``SegmentLog/durablePosition`` tells what
    /// is durable and ``SegmentLog/waitUntilDurable(_:)`` waits for it.
    case groupCommit(interval: Duration = .milliseconds(2), maxBytes: Int = 1 << 20)

    /// No syncs: `append` returns once the batch is buffered; full blocks are
    /// written as they fill and buffered batches at most `interval` after the
    /// first of them. Data sits in the operating system's cache: it survives
    /// a crash of the process once written, not a crash of the machine.
    /// Segment rolls, ``SegmentLog/flush()`` and ``SegmentLog/close()`` still
    /// sync, so the log's structure always recovers.
    case noSync(interval: Duration = .milliseconds(2))
}

/// How a ``SegmentLog`` is opened.
public struct LogOptions: Sendable {
    /// When appends become durable. Default: group commit every 2 ms.
    public var durability: Durability = .groupCommit()
    /// Open without writing: no lock is taken, nothing is created, repaired
    /// or truncated; a torn tail is ignored rather than cut. Many read-only
    /// handles, in any process, may run beside one writer.
    public var readOnly = false
    /// Create the log when the directory holds none. Default true.
    public var createIfMissing = true
    /// A segment is sealed and a new one started once it holds this many
    /// bytes (checked between batches, so a segment may exceed it by one
    /// batch). Default 128 MiB.
    public var segmentBytes: Int64 = 128 << 20
    /// Records are compressed in blocks of about this many raw bytes; a read
    /// at a position decompresses one block. Default 32 KiB (see
    /// `BENCHMARKS.md` for the measurement behind it).
    public var blockBytes: Int = 32 << 10
    /// After this many durable bytes the active segment's index is written
    /// out, bounding what recovery scans after a crash. Default 4 MiB.
    public var indexCheckpointBytes: Int64 = 4 << 20
    /// How often a read-only handle's tail looks for records written by
    /// another process. Default 20 ms.
    public var pollInterval: Duration = .milliseconds(20)
    /// The system-call layer; tests inject failures here.
    package var systemCalls: any SystemCalls = LinuxSystemCalls()

    public init(durability: Durability = .groupCommit(), readOnly: Bool = false) {
        self.durability = durability
        self.readOnly = readOnly
    }

    /// Options for a read-only handle.
    public static var readOnly: LogOptions { LogOptions(readOnly: true) }
}

/// What opening a log found and did about a damaged or unfinished tail, and
/// which derived files it rebuilt. Empty after a clean shutdown.
public struct RecoveryReport: Sendable, Equatable {
    /// One thing recovery dropped or rebuilt.
    public struct Event: Sendable, Equatable, CustomStringConvertible {
        /// The file concerned.
        public var path: String
        /// The byte offset in ``path`` where it happened.
        public var offset: Int64
        /// Bytes cut from the file (0 for rebuilt indexes).
        public var bytesDropped: Int64
        /// A short fixed reason, such as "block payload checksum mismatch".
        public var reason: String

        /// `PATH:OFFSET: reason`, with the bytes dropped when any.
        public var description: String {
            bytesDropped > 0 ? "\(path):\(offset): \(reason) (\(bytesDropped) bytes dropped)" : "\(path):\(offset): \(reason)"
        }
    }

    /// What recovery did, in file order.
    public var events: [Event] = []
    /// Bytes scanned and checked past the last index checkpoint.
    public var bytesScanned: Int64 = 0

    /// Total bytes cut from torn tails.
    public var bytesDropped: Int64 { events.reduce(0) { $0 + $1.bytesDropped } }
    /// Whether opening found nothing to cut or rebuild.
    public var isClean: Bool { events.isEmpty }
}
