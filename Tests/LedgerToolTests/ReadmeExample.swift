import PatientLedger

/// Appends two events to the ledger in `ledger` (an existing directory),
/// makes them durable and reads the log back from the first of them.
func appendAndReadBack(ledger: String) throws -> [LogRecord] {
    let log = try SegmentLog.open(at: ledger + "/log")     // creates the log when absent
    defer { try? log.close() }
    var batch = RecordBatch()
    batch.append(timestamp: 1_767_340_800_000, payload: Array(#"{"type":"visit","patient":"P001"}"#.utf8))
    batch.append(timestamp: 1_767_341_100_000, payload: Array(#"{"type":"message","patient":"P001"}"#.utf8))
    let positions = try log.append(batch)                  // atomic: both records or neither
    try log.flush()                                        // durable from here on
    let cursor = log.records(from: positions.lowerBound)
    var records: [LogRecord] = []
    while let record = try cursor.next() { records.append(record) }
    return records
}
