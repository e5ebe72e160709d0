/// Size and content figures of a log, from its index (no block is read).
public struct LogStatistics: Sendable, Equatable {
    /// Committed records.
    public var records: UInt64
    /// Segment files.
    public var segments: Int
    /// Compressed blocks in the segments.
    public var blocks: Int
    /// Bytes of every file in the directory that belongs to the log
    /// (segments, indexes, `LOG`).
    public var bytesOnDisk: Int64
    /// Block bytes in segment files (headers plus compressed payloads).
    public var storedBytes: Int64
    /// Uncompressed block payload bytes: records with their framing.
    public var rawBytes: Int64
    /// The smallest and largest record timestamps; nil when empty.
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?

    /// `rawBytes / storedBytes`; nil when the log is empty.
    public var compressionRatio: Double? {
        storedBytes > 0 ? Double(rawBytes) / Double(storedBytes) : nil
    }
}

extension SegmentLog {
    /// ``LogStatistics/rawBytes`` alone, from the in-memory index (no
    /// system call): the bytes a scan of the whole log decompresses.
    /// Thread-safe.
    public var rawBytes: Int64 {
        publication.state.withLock { state in
            state.segments.reduce(0) { sum, view in view.entries.reduce(sum) { $0 + Int64($1.rawLength) } }
        }
    }

    /// Figures for `ledger stats`: counts and sizes from the in-memory index
    /// plus one `fstat` per file. Thread-safe.
    public func statistics() throws(StorageError) -> LogStatistics {
        let views = publication.state.withLock { $0.segments }
        var stats = LogStatistics(records: 0, segments: views.count, blocks: 0, bytesOnDisk: 0, storedBytes: 0, rawBytes: 0)
        for view in views {
            stats.blocks += view.entries.count
            stats.records += view.endPosition - view.base
            stats.bytesOnDisk += try view.segment.file.size()
            for entry in view.entries {
                stats.storedBytes += Int64(entry.blockLength)
                stats.rawBytes += Int64(entry.rawLength)
                stats.firstTimestamp = min(stats.firstTimestamp ?? entry.minTimestamp, entry.minTimestamp)
                stats.lastTimestamp = max(stats.lastTimestamp ?? entry.maxTimestamp, entry.maxTimestamp)
            }
        }
        let names = try fileSystem.list(directory)
        for name in names where name.hasSuffix(SegmentFormat.indexSuffix) || name == SegmentFormat.logFileName {
            if let file = try? SystemFile.open(directory + "/" + name, flags: 0, system: options.systemCalls) {
                stats.bytesOnDisk += try file.size()
            }
        }
        return stats
    }
}
