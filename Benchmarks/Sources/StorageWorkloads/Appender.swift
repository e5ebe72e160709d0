import PatientLedger

/// Appends the corpus stream to a log in batches, the way a caller does: one
/// reused ``RecordBatch``, emptied and refilled for every batch.
///
/// Not thread-safe; one per workload.
public final class Appender: @unchecked Sendable {
    public let log: SegmentLog
    public let corpus: Corpus
    public let batchSize: Int
    private var batch = RecordBatch()
    /// The stream index of the next event to append.
    public private(set) var nextEvent = 0
    /// Payload bytes appended so far.
    public private(set) var payloadBytes = 0

    public init(log: SegmentLog, corpus: Corpus = .standard, batchSize: Int, startEvent: Int = 0) {
        self.log = log
        self.corpus = corpus
        self.batchSize = batchSize
        self.nextEvent = startEvent
    }

    /// Fills the batch with the next `batchSize` events (no append).
    @inline(__always)
    public func fill() {
        batch.removeAll()
        var n = nextEvent
        for _ in 0..<batchSize {
            let payload = corpus.payload(ofEvent: n)
            batch.append(timestamp: corpus.timestamp(ofEvent: n), payload: payload)
            payloadBytes += payload.count
            n += 1
        }
        nextEvent = n
    }

    /// Fills the batch with the next events and appends it.
    @inline(__always)
    public func appendBatch() throws {
        fill()
        try log.append(batch)
    }

    /// Appends `events` events (a multiple of `batchSize`, rounded up).
    public func append(events: Int) throws {
        var done = 0
        while done < events {
            try appendBatch()
            done += batchSize
        }
    }
}

/// Appends prebuilt batches cyclically: the log's own cost without the
/// caller's batch building (one `memcpy` per event), for the ratio to the
/// LZ4 ceiling. Timestamps repeat across cycles, which the log accepts.
public final class PrebuiltAppender: @unchecked Sendable {
    public let log: SegmentLog
    private let batches: [RecordBatch]
    private var next = 0
    public let batchSize: Int

    public init(log: SegmentLog, corpus: Corpus = .standard, batchSize: Int) {
        self.log = log
        self.batchSize = batchSize
        var batches: [RecordBatch] = []
        var n = 0
        while n + batchSize <= corpus.count {
            var batch = RecordBatch()
            for i in n..<(n + batchSize) { batch.append(timestamp: corpus.timestamp(ofEvent: i), payload: corpus.payload(i)) }
            batches.append(batch)
            n += batchSize
        }
        self.batches = batches
    }

    @inline(__always)
    public func appendBatch() throws {
        try log.append(batches[next])
        next += 1
        if next == batches.count { next = 0 }
    }

    public func append(events: Int) throws {
        var done = 0
        while done < events {
            try appendBatch()
            done += batchSize
        }
    }
}
