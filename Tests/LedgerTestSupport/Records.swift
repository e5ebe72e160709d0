@testable import LedgerStorage

/// Deterministic record content: the payload of the record at `position`
/// says which position it is, so any misplaced or damaged byte shows.
public enum TestRecords {
    /// A payload of varying length (8...140 bytes) that names its position.
    public static func payload(_ position: UInt64) -> [UInt8] {
        let text = "{\"type\":\"checkin\",\"patient\":\"P\(position % 977)\",\"seq\":\(position)}"
        var bytes = Array(text.utf8)
        let extra = Int((position &* 2_654_435_761) % 60)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "a") + UInt8(position % 26), count: extra))
        return bytes
    }

    /// A timestamp that is mostly increasing with some records late.
    public static func timestamp(_ position: UInt64) -> Int64 {
        let base: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
        let late: Int64 = position % 7 == 3 ? -3_600_000 : 0
        return base + Int64(position) * 1000 + late
    }

    /// A batch of `count` records starting at `first`.
    public static func batch(from first: UInt64, count: Int) -> RecordBatch {
        var batch = RecordBatch()
        for p in first..<(first + UInt64(count)) {
            batch.append(timestamp: timestamp(p), payload: payload(p))
        }
        return batch
    }

    /// Whether `record` is exactly what position `record.position` should hold.
    public static func isIntact(_ record: LogRecord) -> Bool {
        record.payload == payload(record.position) && record.timestamp == timestamp(record.position)
    }
}

/// Options for tests: small segments and blocks so rolls happen often.
public func smallOptions(durability: Durability = .everyAppend, segmentBytes: Int64 = 16 << 10,
                         blockBytes: Int = 1024, systemCalls: (any SystemCalls)? = nil) -> LogOptions {
    var options = LogOptions(durability: durability)
    options.segmentBytes = segmentBytes
    options.blockBytes = blockBytes
    if let systemCalls { options.systemCalls = systemCalls }
    return options
}

/// The workload of the crash tests: batch sizes are a function of the
/// batch's first position, so any process can tell where batches end.
public enum CrashWorkload {
    /// The size (1...40) of the batch that starts at `position`.
    public static func batchSize(at position: UInt64) -> Int {
        var z = position &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % 40) + 1
    }

    /// Whether a batch ends exactly at `end`.
    public static func isBatchBoundary(_ end: UInt64) -> Bool {
        var p: UInt64 = 0
        while p < end { p += UInt64(batchSize(at: p)) }
        return p == end
    }

    /// The options both the child and the checks use.
    public static func options(_ mode: String) -> LogOptions {
        let durability: Durability = mode == "group" ? .groupCommit(interval: .milliseconds(1), maxBytes: 64 << 10) : .everyAppend
        var options = smallOptions(durability: durability, segmentBytes: 48 << 10, blockBytes: 2048)
        options.indexCheckpointBytes = 16 << 10
        return options
    }
}
