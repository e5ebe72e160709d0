#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import LedgerTestSupport
import LedgerStorage
@testable import PatientLedger

/// The index snapshot written in the background every `snapshotInterval`
/// appended events (``SnapshotWriter``).
@Suite struct SnapshotWriterTests {
    /// Collects what the ledger reports through `diagnostics`.
    final class Notes: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func add(_ line: String) { lines.withLock { $0.append(line) } }
    }

    func options(_ notes: Notes, interval: UInt64, system: (any SystemCalls)? = nil) -> LedgerOptions {
        var options = LedgerOptions(durability: .noSync())
        options.snapshotInterval = interval
        options.diagnostics = { notes.add($0) }
        if let system { options.log.systemCalls = system }
        return options
    }

    func snapshot(_ ledger: Ledger) throws -> LedgerIndex {
        let path = ledger.snapshotPath
        let file = try SystemFile.open(path, flags: O_RDONLY, system: LinuxSystemCalls())
        let bytes = try file.read(fromAbsoluteOffset: 0, count: Int(try file.size()))
        return try IndexSnapshot.decode(bytes, logID: ledger.log.logID, path: path).get()
    }

    /// Snapshots written while appends go on describe a prefix of the
    /// ledger exactly, only records already durable, and the next open
    /// starts from the last one.
    @Test func aBackgroundSnapshotDescribesADurablePrefixExactly() throws {
        let dir = TemporaryDirectory()
        let notes = Notes()
        let ledger = try Ledger.open(at: dir.path, options: options(notes, interval: 300))
        var snapshots: [UInt64] = []
        for batch in 0..<60 {
            try ledger.append((0..<25).map { i in
                let n = batch * 25 + i
                return Events.checkin("P\(n % 37)", day: n / 50, id: "c-\(n)")
            })
            if batch % 7 == 6 && batch >= 13 {
                ledger.snapshots.wait()
                let written = try snapshot(ledger)
                #expect(written.coveredPosition % 25 == 0, "a batch boundary")
                #expect(written.coveredPosition <= ledger.log.durablePosition, "only durable records")
                snapshots.append(written.coveredPosition)
                // The same streams as the live index, cut at the snapshot's position.
                let live = ledger.state.withLock { $0.index }
                for p in 0..<37 {
                    #expect(written.positions(of: "P\(p)") == live.positions(of: "P\(p)").filter { $0 < written.coveredPosition })
                }
                for n in stride(from: 0, to: Int(written.coveredPosition), by: 11) {
                    #expect(written.ids.candidates(for: IdentifierHash.hash("c-\(n)")) == [UInt64(n)])
                }
            }
        }
        #expect(snapshots.last! >= 1200, "snapshots kept up with the appends: \(snapshots)")
        #expect(snapshots == snapshots.sorted())
        #expect(notes.all.isEmpty)
        try ledger.close()
        let reopened = try Ledger.open(at: dir.path, options: options(notes, interval: 300))
        #expect(reopened.openReport.recordsCaughtUp == 0, "close wrote the last snapshot")
        #expect(reopened.openReport.indexRebuiltBecause == nil)
        try reopened.close()
    }

    /// `flush()` costs what is unsynced: it makes every appended event
    /// durable but leaves the snapshot as it was (rewriting it made each
    /// flush cost the whole index); an open then catches up the rest from
    /// the log, and `close()` writes the snapshot.
    @Test func flushSyncsTheLogWithoutRewritingTheSnapshot() throws {
        let dir = TemporaryDirectory()
        let notes = Notes()
        let events = (0..<150).map { n in Events.checkin("P\(n % 13)", day: n / 10, id: "f-\(n)") }
        var ledger = try Ledger.open(at: dir.path, options: options(notes, interval: 1_000_000))
        try ledger.append(Array(events[0..<100]))
        try ledger.close()
        ledger = try Ledger.open(at: dir.path, options: options(notes, interval: 1_000_000))
        try ledger.append(Array(events[100...]))
        try ledger.flush()
        #expect(try snapshot(ledger).coveredPosition == 100, "flush left the snapshot as close wrote it")
        #expect(ledger.log.durablePosition == 150, "flush made every appended event durable")
        let reader = try Ledger.open(at: dir.path, options: .readOnly)
        #expect(reader.openReport.recordsCaughtUp == 50)
        #expect(try reader.events(of: "P3").map(\.event.id) == events.filter { $0.patient == "P3" }.map(\.id))
        try ledger.close()
        #expect(try snapshot(ledger).coveredPosition == 150, "close wrote the snapshot")
        #expect(notes.all.isEmpty)
    }

    /// Snapshots come every `snapshotInterval` events in a small ledger
    /// and every quarter of the ledger in a large one: 400 appends with an
    /// interval of 10 write 14 snapshots, not 40, at the positions the rule
    /// gives.
    @Test func theSnapshotIntervalGrowsWithTheLedger() throws {
        let dir = TemporaryDirectory()
        let notes = Notes()
        let ledger = try Ledger.open(at: dir.path, options: options(notes, interval: 10))
        var written: [UInt64] = []
        for n in 0..<400 {
            try ledger.append(Events.checkin("P\(n % 7)", day: n, id: "c-\(n)"))
            ledger.snapshots.wait()  // none is in flight when the next is due
            guard n >= 9 else { continue }  // no snapshot before the first interval
            let position = try snapshot(ledger).coveredPosition
            if position != written.last { written.append(position) }
        }
        var expected: [UInt64] = []
        var last: UInt64 = 0
        for covered in UInt64(1)...400 where covered - last >= max(10, last / 4) {
            expected.append(covered)
            last = covered
        }
        #expect(written == expected)
        #expect(expected.count == 14 && expected.last == 363)
        #expect(notes.all.isEmpty)
        try ledger.close()
    }

    /// A background snapshot that cannot be written is reported, not
    /// thrown at an append; the appends go on, and the snapshot on disk
    /// stays the last good one until a later write succeeds.
    @Test func aFailedBackgroundSnapshotIsReportedAndAppendsGoOn() throws {
        let dir = TemporaryDirectory()
        let notes = Notes()
        let failing = Atomic<Bool>(false)
        let system = FaultInjectingSystemCalls { call, path, _ in
            call == .rename && path.hasSuffix("/index/streams.tmp") && failing.load(ordering: .relaxed) ? .fail(EIO) : nil
        }
        let ledger = try Ledger.open(at: dir.path, options: options(notes, interval: 100, system: system))
        func append(_ range: Range<Int>) throws {
            for n in range { try ledger.append(Events.checkin("P\(n % 5)", day: n, id: "c-\(n)")) }
        }
        try append(0..<150)
        ledger.snapshots.wait()
        let good = try snapshot(ledger).coveredPosition
        #expect(good == 100)
        failing.store(true, ordering: .relaxed)
        try append(150..<450)
        ledger.snapshots.wait()
        #expect(try snapshot(ledger).coveredPosition == good, "the last good snapshot stays")
        #expect(notes.all.contains { $0.contains("index snapshot") && $0.contains("not written") }, "\(notes.all)")
        failing.store(false, ordering: .relaxed)
        try append(450..<700)
        ledger.snapshots.wait()
        #expect(try snapshot(ledger).coveredPosition > 450, "a later write succeeds")
        try ledger.close()
        let reopened = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .noSync()))
        #expect(reopened.openReport.recordsCaughtUp == 0)
        #expect(try reopened.events(of: "P3").count == 140)
        try reopened.close()
    }
}
