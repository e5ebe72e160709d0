// The child process of the crash tests (Tests/LedgerStorageTests/CrashTests).
//
//     CrashWriter LOG_DIRECTORY ACK_FILE sync|group
//
// Opens (and so recovers) the log, then appends batches forever. After each
// batch it knows to be durable it overwrites ACK_FILE with the durable end
// position (8 bytes, little-endian): a plain write is in the page cache the
// moment it returns, so the parent reads it even after a SIGKILL.
#if canImport(Glibc)
import Glibc
#endif
import LedgerStorage
import LedgerTestSupport

func fail(_ message: String, _ code: Int32) -> Never {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(code)
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    fail("usage: CrashWriter LOG_DIRECTORY ACK_FILE sync|group", 64)
}
let mode = arguments[3]
let ack = open(arguments[2], O_WRONLY | O_CREAT, 0o644)
guard ack >= 0 else { fail("cannot open \(arguments[2])", 73) }

func acknowledge(_ position: UInt64) {
    var value = position.littleEndian
    _ = withUnsafeBytes(of: &value) { pwrite(ack, $0.baseAddress, 8, 0) }
}

do {
    let log = try SegmentLog.open(at: arguments[1], options: CrashWorkload.options(mode))
    var position = log.endPosition
    var acknowledged = log.durablePosition
    acknowledge(acknowledged)
    while true {
        let size = CrashWorkload.batchSize(at: position)
        try log.append(TestRecords.batch(from: position, count: size))
        position += UInt64(size)
        let durable = mode == "sync" ? position : log.durablePosition
        if durable > acknowledged {
            acknowledged = durable
            acknowledge(durable)
        }
    }
} catch {
    fail("CrashWriter: \(error)", 74)
}
