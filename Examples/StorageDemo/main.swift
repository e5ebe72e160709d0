// StorageDemo: the segment log embedded in a program, start to finish.
//
//     swift run StorageDemo /tmp/demo-ledger
//
// Opens (or creates) the log in DIR/log, appends 10,000 small events in ten
// atomic batches, makes them durable, reads some back by position, with a
// cursor and from a timestamp, and closes the log. `ledger stats DIR` and
// `ledger verify DIR` then inspect what it wrote.
#if canImport(Glibc)
import Glibc
#endif
import PatientLedger

guard CommandLine.arguments.count == 2 else {
    print("usage: StorageDemo DIR   (writes the ledger's log in DIR/log)")
    exit(64)
}
// A ledger directory keeps its segment log in the subdirectory `log`.
// SegmentLog.open creates the log's own directory, not its parents.
let ledgerDirectory = CommandLine.arguments[1]
let logDirectory = ledgerDirectory + "/log"
mkdir(ledgerDirectory, 0o755)
let january1: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z in Unix epoch milliseconds

do {
    let log = try SegmentLog.open(at: logDirectory)  // creates it when absent
    let first = log.endPosition                      // earlier runs' records come before
    print("opened \(logDirectory) holding \(first) records")

    // Append: 10 batches of 1,000 events, one minute apart. Each batch is atomic.
    var batch = RecordBatch()
    for b in 0..<10 {
        batch.removeAll()                            // reuses the batch's storage
        for i in 0..<1_000 {
            let n = b * 1_000 + i
            let event = #"{"type":"checkin","patient":"P\#(n % 250)","metric":"glucose","values":{"mmol":\#(5 + n % 4).\#(n % 10)}}"#
            batch.append(timestamp: january1 + Int64(n) * 60_000, payload: Array(event.utf8))
        }
        try log.append(batch)
    }
    try log.flush()                                  // durable from here on
    print("appended 10 batches of 1,000 records: positions \(first)..<\(log.endPosition), durable through \(log.durablePosition)")

    // Read by position: one block read and decompressed.
    let record = try log.read(at: first + 42)
    print("read(at: \(record.position)): timestamp \(record.timestamp), \(String(decoding: record.payload, as: UTF8.self))")

    // Read with a cursor: a single pass, each block decompressed once.
    let cursor = log.records(from: first)
    var count = 0
    var payloadBytes = 0
    while let next = try cursor.next() {
        count += 1
        payloadBytes += next.payload.count
    }
    print("cursor from \(first): \(count) records, \(payloadBytes) payload bytes")

    // Read from a time: the first record at or after 2026-01-05T00:00:00Z.
    let january5 = january1 + 4 * 86_400_000
    if let later = try log.records(fromTimestamp: january5).next() {
        print("first record at or after 2026-01-05T00:00:00Z: position \(later.position), timestamp \(later.timestamp)")
    }

    try log.close()
    print("closed")
} catch {
    print("StorageDemo: \(error)")
    exit(1)
}
