/// One record of the log: opaque bytes at a dense position, with a timestamp.
///
/// The log does not interpret the timestamp beyond ordering and comparing it;
/// PatientLedger stores milliseconds since 1970-01-01T00:00:00Z there.
public struct LogRecord: Sendable, Equatable, Hashable {
    /// The record's position: 0 for the first record of the log, then 1, 2, ...
    public var position: UInt64
    /// The record's timestamp (by convention, Unix epoch milliseconds).
    public var timestamp: Int64
    /// The record's bytes.
    public var payload: [UInt8]

    public init(position: UInt64, timestamp: Int64, payload: [UInt8]) {
        self.position = position
        self.timestamp = timestamp
        self.payload = payload
    }
}

/// A borrowed view of a record, valid only inside the closure that receives it.
///
/// The zero-copy form used by ``SegmentLog/scan(from:to:_:)``: `payload`
/// points into the decompressed block and must not escape the closure.
public struct RecordView {
    /// The record's position in the log.
    public var position: UInt64
    /// The record's timestamp.
    public var timestamp: Int64
    /// The record's bytes, inside the decompressed block: do not let them escape.
    public var payload: UnsafeRawBufferPointer

    /// Copies the view into an owned ``LogRecord``. Allocates.
    public func copy() -> LogRecord {
        LogRecord(position: position, timestamp: timestamp, payload: Array(payload))
    }
}

/// A reusable buffer of records to append as one atomic batch.
///
/// Build it, pass it to ``SegmentLog/append(_:)``, then `removeAll()` and
/// reuse it: once its storage has grown to the batch size, building and
/// appending allocate nothing.
///
/// ```swift
/// var batch = RecordBatch()
/// batch.append(timestamp: 1_767_340_800_000, payload: Array("hello".utf8))
/// batch.append(timestamp: 1_767_340_800_500, payload: Array("world".utf8))
/// let positions = try log.append(batch)   // 0..<2 on an empty log
/// batch.removeAll()
/// ```
///
/// Not thread-safe (a value type: give each thread its own).
public struct RecordBatch: Sendable {
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var timestamps: [Int64] = []
    @usableFromInline var ends: [Int] = []
    /// The largest record payload in the batch.
    @usableFromInline var largestRecord = 0

    public init() {}

    /// Creates a batch from existing records (their positions are ignored).
    public init<S: Sequence>(_ records: S) where S.Element == (timestamp: Int64, payload: [UInt8]) {
        for record in records { append(timestamp: record.timestamp, payload: record.payload) }
    }

    /// The number of records in the batch.
    public var count: Int { timestamps.count }
    /// Whether the batch holds no record.
    public var isEmpty: Bool { timestamps.isEmpty }
    /// The payload bytes held, without per-record overhead.
    public var payloadBytes: Int { bytes.count }

    /// Adds a record at the end of the batch.
    @inlinable
    public mutating func append(timestamp: Int64, payload: UnsafeRawBufferPointer) {
        let start = bytes.count
        bytes.append(contentsOf: payload)
        timestamps.append(timestamp)
        ends.append(bytes.count)
        largestRecord = max(largestRecord, bytes.count - start)
    }

    /// Adds a record at the end of the batch.
    @inlinable
    public mutating func append<Bytes: Sequence<UInt8>>(timestamp: Int64, payload: Bytes) {
        let start = bytes.count
        bytes.append(contentsOf: payload)
        timestamps.append(timestamp)
        ends.append(bytes.count)
        largestRecord = max(largestRecord, bytes.count - start)
    }

    /// Adds a record whose payload `write` appends to the batch's bytes (an
    /// encoder writing straight into the batch, without a scratch copy).
    /// `write` must only append: the bytes already there belong to earlier
    /// records.
    @inlinable
    public mutating func append(timestamp: Int64, writingPayload write: (inout [UInt8]) -> Void) {
        let start = bytes.count
        write(&bytes)
        precondition(bytes.count >= start, "a payload writer removed bytes of earlier records")
        timestamps.append(timestamp)
        ends.append(bytes.count)
        largestRecord = max(largestRecord, bytes.count - start)
    }

    /// The timestamp of the `index`th record.
    public func timestamp(at index: Int) -> Int64 { timestamps[index] }

    /// Adds a copy of the `index`th record of `other`.
    public mutating func append(_ index: Int, of other: RecordBatch) {
        let start = index == 0 ? 0 : other.ends[index - 1]
        other.bytes.withUnsafeBytes { raw in
            append(timestamp: other.timestamps[index], payload: UnsafeRawBufferPointer(rebasing: raw[start..<other.ends[index]]))
        }
    }

    /// Adds every record of `other`, in order.
    public mutating func append(contentsOf other: RecordBatch) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        timestamps.append(contentsOf: other.timestamps)
        for end in other.ends { ends.append(base + end) }
        largestRecord = max(largestRecord, other.largestRecord)
    }

    /// Reserves room for `records` records of `bytes` payload bytes in all.
    public mutating func reserveCapacity(records: Int, bytes count: Int) {
        bytes.reserveCapacity(count)
        timestamps.reserveCapacity(records)
        ends.reserveCapacity(records)
    }

    /// Empties the batch, keeping its storage for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        largestRecord = 0
    }

    /// Calls `body` with each record's timestamp and bytes, in order.
    @inlinable
    func forEach(_ body: (Int64, UnsafeRawBufferPointer) throws(StorageError) -> Void) throws(StorageError) {
        var failure: StorageError?
        bytes.withUnsafeBytes { raw in
            var start = 0
            for i in 0..<timestamps.count {
                let end = ends[i]
                do throws(StorageError) {
                    try body(timestamps[i], UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                } catch {
                    failure = error
                    return
                }
                start = end
            }
        }
        if let failure { throw failure }
    }
}
