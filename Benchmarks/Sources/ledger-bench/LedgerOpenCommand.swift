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
        let written = line.withUTF8 { write(1, $0.baseAddress, $0.count) }
        // The parent is gone (it would have killed us): stop rather than
        // fill the disk.
        if written != line.utf8.count { exit(1) }
    }
}

/// Copies the large ledger, runs a child writer on the copy
/// (``runKilledWriterChild(mode:path:start:)``) and kills it with SIGKILL
/// once it reported at least `tail` events appended: the ledger as the
/// kill left it, cached under ``Scratch/cache``. Returns its path and the
/// events the child had reported appended before the kill (it may have
/// appended more before the signal landed).
private func killImage(_ writer: KilledWriter, large: String, events: Int, patients: Int, tail: Int) throws -> (path: String, appended: Int) {
    let image = "\(Scratch.cache)/ledger-killed-\(writer.rawValue)-\(events)-p\(patients)-\(tail)"
    let countFile = image + ".appended"
    func appended() -> Int? { (try? String(contentsOfFile: countFile, encoding: .utf8)).flatMap { Int($0) } }
    _ = try LedgerFixtures.cached(image, what: "the \(writer.rawValue) kill image (a child writer appends \(tail) events after \(events), then SIGKILL)",
                                  also: [".appended"], isUsable: { Files.isDirectory(image) && appended() != nil }) {
        try materializeLedger(from: large, to: image)
        let count = try appendUntilKilled(writer, ledger: image, from: events, tail: tail)
        sync()
        try "\(count)".write(toFile: countFile, atomically: true, encoding: .utf8)
    }
    return (image, appended()!)
}

/// Runs a child writer (``runKilledWriterChild(mode:path:start:)``) on the
/// ledger at `path`, which holds events `0..<start`, and kills it with
/// SIGKILL once it reported at least `tail` events appended; returns the
/// count it last reported.
private func appendUntilKilled(_ writer: KilledWriter, ledger path: String, from start: Int, tail: Int) throws -> Int {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { throw BenchError("pipe: errno \(errno)") }
    for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // The write end becomes the child's standard output (dup2 clears
    // close-on-exec there); both original ends close at its exec.
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    // SIGPIPE at its default in the child, whatever the parent ignores:
    // a child whose parent died ends at its next write.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
    let executable = "/proc/self/exe"
    let argv = [executable, "killed-writer-child", writer.rawValue, path, "\(start)"]
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { for p in cArguments { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, environ)
    close(pipeEnds[1])
    guard spawned == 0 else { close(pipeEnds[0]); throw BenchError("posix_spawn: \(spawned)") }

    // Read the child's counts until it reported `tail`, then kill it.
    var appended = 0
    var failure: String?
    var pendingText: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    readLoop: while appended < tail {
        let n = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { failure = n < 0 ? "read: errno \(errno)" : "the child writer stopped"; break }
        for byte in buffer[0..<n] {
            guard byte == UInt8(ascii: "\n") else { pendingText.append(byte); continue }
            guard let count = Int(String(decoding: pendingText, as: UTF8.self)) else {
                failure = "the child writer printed \(String(decoding: pendingText, as: UTF8.self).debugDescription)"
                break readLoop
            }
            appended = count
            pendingText.removeAll(keepingCapacity: true)
            if appended >= tail { break readLoop }
        }
    }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    close(pipeEnds[0])
    if let failure { throw BenchError("\(failure) after \(appended) events (wait status \(status))") }
    return appended
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

    /// Opens a fresh copy of `source` as the writer `runs` times; every
    /// open must find the same (`check` runs on the first, before it is
    /// closed).
    func openCopies(of source: String, check: (Ledger) throws -> Void = { _ in }) throws -> OpenFindings {
        var found = OpenFindings()
        for run in 0..<runs {
            Scratch.remove(copy)
            try materializeLedger(from: source, to: copy)
            // Read once, as a restarted service finds the files its
            // predecessor just wrote: in the page cache.
            LogFixtures.warmPageCache(copy + "/log")
            LogFixtures.warmPageCache(copy + "/index")
            var ledger: Ledger?
            found.seconds.append(try time { ledger = try Ledger.open(at: copy, options: LedgerFixtures.options(.noSync())) })
            let report = ledger!.openReport
            if run == 0 {
                try check(ledger!)
            } else {
                precondition(ledger!.endPosition == found.end && report.recordsCaughtUp == found.report!.recordsCaughtUp
                             && report.log.bytesDropped == found.report!.log.bytesDropped, "two opens of the same files differ")
            }
            found.report = report
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
        let (image, appended) = try killImage(writer, large: large, events: events, patients: typed.patients, tail: tail)
        // What the kill left must be the child's events, in order, each
        // reachable through the index: every recovered event compared with
        // the one appended at its position, the last in its patient's
        // stream.
        let found = try openCopies(of: image) { ledger in
            precondition(ledger.endPosition >= UInt64(events), "recovery cut into the events of the clean ledger")
            let cursor = ledger.events(from: UInt64(events))
            var next = events
            while let stored = try cursor.next() {
                precondition(stored.position == UInt64(next) && stored.event == typed.event(next),
                             "the event recovered at \(stored.position) is not the one appended there")
                next += 1
            }
            precondition(next == Int(ledger.endPosition))
            if next > events {
                let stream = try ledger.events(of: typed.event(next - 1).patient)
                precondition(stream.last?.position == UInt64(next - 1), "the last recovered event is missing from its patient's stream")
            }
        }
        let recovered = Int(found.end) - events
        row("after SIGKILL of a \(writer == .groupCommit ? "group-commit (2 ms)" : "noSync") writer", found,
            "\(count(Double(recovered))) events recovered, each checked; the child had reported \(count(Double(appended))) appended when it was killed")
    }

    print("### Ledger open (ledger-bench ledger-open, a ledger of \(count(Double(events))) typed events, \(typed.patients) patients; warm page cache; \(runs) opens each, the writer's on a fresh copy each time)\n")
    table(["open", "median ms", "p90 ms", "max ms", "records caught up", "log recovery", "index snapshot", "note"], rows)
    print("A killed writer loses what it had not yet written out (its unfilled block, up to the 2 ms timer); what it wrote survives the kill (the page cache). The index snapshot is rewritten every max(snapshotInterval, ledger / 4) events and at close, so an open after a kill reads back from the log what was appended since.\n")
}
