// `ledger-bench ledger-open`: opening the large typed ledger through the
// facade (`Ledger.open`: the log's recovery, the index snapshot, the index
// caught up from the log) after a clean close and after its writer was
// killed with SIGKILL while appending. `ledger-bench open` measures the
// segment log alone.
#if canImport(Glibc)
import Glibc
#endif
import PatientLedger
import StorageWorkloads
import LedgerWorkloads

/// The writer modes a kill image is made with.
private enum KilledWriter: String, CaseIterable {
    case groupCommit, noSync

    var durability: Durability {
        switch self {
        case .groupCommit: .groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20)
        case .noSync: .noSync()
        }
    }
}

/// A copy of the ledger at `from` in `to` that an open may change: the
/// log's sealed segments hard-linked, its last segment, its segment index
/// and the ledger's index snapshot copied (``LogFixtures/materialize(from:to:sync:)``).
private func materializeLedger(from: String, to: String) throws {
    try LogFixtures.materialize(from: from + "/log", to: to + "/log", sync: true)
    try Files.makeDirectories(to + "/index")
    for name in Files.list(from + "/index") {
        try Files.copy(from + "/index/" + name, to + "/index/" + name, sync: true)
    }
}

/// The child's side of a kill image: opens the ledger at `path` as its
/// writer with `mode`'s durability and appends typed events `start...` in
/// batches of 1000 until killed, writing the count appended so far (a
/// decimal line) to standard output after each batch.
@MainActor
func runKilledWriterChild(mode: String, path: String, start: Int) throws -> Never {
    guard let writer = KilledWriter(rawValue: mode) else { throw BenchError("unknown writer mode \(mode)") }
    let typed = TypedEvents()
    let ledger = try Ledger.open(at: path, options: LedgerFixtures.options(writer.durability))
    precondition(ledger.endPosition == UInt64(start), "the ledger holds \(ledger.endPosition) events, not \(start)")
    var batch: [PatientEvent] = []
    batch.reserveCapacity(1000)
    var appended = 0
    while true {
        typed.fill(&batch, from: start + appended, count: 1000)
        try ledger.append(batch)
        appended += batch.count
        var line = "\(appended)\n"
        line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }
}

/// Copies the large ledger, runs a child writer on the copy
/// (``runKilledWriterChild(mode:path:start:)``) and kills it with SIGKILL
/// once it reported at least `tail` events appended: the ledger as the
/// kill left it, cached under ``Scratch/cache``. Returns its path and the
/// events the child had reported appended.
private func killImage(_ writer: KilledWriter, large: String, events: Int, tail: Int) throws -> (path: String, appended: Int) {
    let image = "\(Scratch.cache)/ledger-killed-\(writer.rawValue)-\(events)-\(tail)"
    let countFile = image + ".appended"
    if Files.exists(image + ".complete"), let text = try? String(contentsOfFile: countFile, encoding: .utf8),
       let appended = Int(text) {
        return (image, appended)
    }
    Files.removeTree(image)
    try materializeLedger(from: large, to: image)
    pending("building the \(writer.rawValue) kill image: a child writer appends \(tail) events after \(events), then SIGKILL")

    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { throw BenchError("pipe: errno \(errno)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
    let executable = "/proc/self/exe"
    let argv = [executable, "killed-writer-child", writer.rawValue, image, "\(events)"]
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { for p in cArguments { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, &cArguments, environ)
    close(pipeEnds[1])
    guard spawned == 0 else { close(pipeEnds[0]); throw BenchError("posix_spawn: \(spawned)") }

    // Read the child's counts until it reported `tail`, then kill it.
    var appended = 0
    var pendingText: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    readLoop: while appended < tail {
        let n = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
        if n <= 0 { break }
        for byte in buffer[0..<n] {
            if byte == UInt8(ascii: "\n") {
                appended = Int(String(decoding: pendingText, as: UTF8.self)) ?? appended
                pendingText.removeAll(keepingCapacity: true)
                if appended >= tail { break readLoop }
            } else {
                pendingText.append(byte)
            }
        }
    }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    close(pipeEnds[0])
    guard appended >= tail else { throw BenchError("the child writer stopped after \(appended) events (wait status \(status))") }
    sync()
    try "\(appended)".write(toFile: countFile, atomically: true, encoding: .utf8)
    let marker = creat(image + ".complete", 0o644)
    if marker >= 0 { close(marker) }
    return (image, appended)
}

/// What one open found, for the table.
private struct OpenFindings {
    var seconds: [Double] = []
    var report: LedgerOpenReport?
    var end: UInt64 = 0
}

@MainActor
func runLedgerOpen() throws {
    let typed = TypedEvents()
    let events = LedgerFixtures.largeEvents
    let tail = option("kill-after", 500_000)
    let runs = max(rounds, 3)
    let large = try LedgerFixtures.largeLedger(events: events, typed: typed)
    pending("ledger-open: Ledger.open of a \(events)-event ledger, \(runs) opens each, after a clean close and after SIGKILL of its writer \(tail) events later")
    LogFixtures.warmPageCache(large + "/log")
    LogFixtures.warmPageCache(large + "/index")
    let work = try Scratch.makeDirectory("ledger-open")
    defer { Scratch.remove(work) }
    let copy = work + "/ledger"

    /// Opens a fresh copy of `source` as the writer `runs` times.
    func openCopies(of source: String) throws -> OpenFindings {
        var found = OpenFindings()
        for _ in 0..<runs {
            Scratch.remove(copy)
            try materializeLedger(from: source, to: copy)
            // Read once, as a restarted service finds the files its
            // predecessor just wrote: in the page cache.
            LogFixtures.warmPageCache(copy + "/log")
            LogFixtures.warmPageCache(copy + "/index")
            var ledger: Ledger?
            found.seconds.append(try time { ledger = try Ledger.open(at: copy, options: LedgerFixtures.options(.noSync())) })
            found.report = ledger!.openReport
            found.end = ledger!.endPosition
            try ledger!.close()
        }
        return found
    }

    var rows: [[String]] = []
    func row(_ name: String, _ found: OpenFindings, _ note: String) {
        let s = Sample(found.seconds)
        let report = found.report!
        rows.append([name, millis(s.median), millis(s.percentile(90)), millis(s.max),
                     count(Double(report.recordsCaughtUp)), report.log.isClean ? "clean" : "\(report.log.bytesDropped) B cut",
                     report.indexRebuiltBecause == nil ? "loaded" : "rebuilt: " + report.indexRebuiltBecause!, note])
    }

    var readOnly = OpenFindings()
    for _ in 0..<runs {
        var ledger: Ledger?
        readOnly.seconds.append(try time { ledger = try Ledger.open(at: large, options: .readOnly) })
        readOnly.report = ledger!.openReport
        readOnly.end = ledger!.endPosition
    }
    precondition(readOnly.end == UInt64(events))
    row("after a clean close, read-only", readOnly, "")
    let clean = try openCopies(of: large)
    precondition(clean.end == UInt64(events))
    row("after a clean close, writer", clean, "")

    for writer in KilledWriter.allCases {
        let (image, appended) = try killImage(writer, large: large, events: events, tail: tail)
        let found = try openCopies(of: image)
        let recovered = Int(found.end) - events
        // What the kill left must be the child's events, in order, and
        // reachable through the index: the last one recovered, read by
        // position and in its patient's stream.
        let check = try Ledger.open(at: copy, options: .readOnly)
        if recovered > 0 {
            let last = try check.event(at: found.end - 1)
            precondition(last.event == typed.event(Int(found.end) - 1), "the last recovered event differs from the one appended")
            let stream = try check.events(of: last.event.patient)
            precondition(stream.last?.position == found.end - 1, "the last recovered event is missing from its patient's stream")
        }
        row("after SIGKILL of a \(writer == .groupCommit ? "group-commit (2 ms)" : "noSync") writer", found,
            "\(count(Double(recovered))) of the \(count(Double(appended))) events appended before the kill recovered")
    }

    print("### Ledger open (ledger-bench ledger-open, a ledger of \(count(Double(events))) typed events, \(typed.patients) patients; warm page cache; \(runs) opens each, the writer's on a fresh copy each time)\n")
    table(["open", "median ms", "p90 ms", "max ms", "records caught up", "log recovery", "index snapshot", "note"], rows)
    print("A killed writer loses what it had not yet written out (its unfilled block, up to the 2 ms timer); what it wrote survives the kill (the page cache). The index snapshot is rewritten every max(snapshotInterval, ledger / 4) events and at close, so an open after a kill reads back from the log what was appended since.\n")
}
