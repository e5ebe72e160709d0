#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import LedgerEvents
import LedgerStorage

/// Where imported JSON Lines come from.
public enum ImportSource: Sendable {
    /// A file, read in chunks (twice when validating first).
    case file(String)
    /// Bytes already in memory (standard input), named in messages by `name` (`-`).
    case bytes(name: String, [UInt8])

    var name: String {
        switch self {
        case .file(let path): path
        case .bytes(let name, _): name
        }
    }
}

/// One invalid input line: `FILE:LINE: message`.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    /// The input file (`-` for standard input).
    public var path: String
    /// The 1-based line number.
    public var line: Int
    /// What is wrong with the line.
    public var message: String
    /// `FILE:LINE: message`.
    public var description: String { "\(path):\(line): \(message)" }
}

/// How ``Ledger/importJSONLines(_:options:)`` behaves.
public struct ImportOptions: Sendable {
    /// Append the valid lines and report the invalid ones. Default: a
    /// command with any invalid line appends nothing (all-or-nothing for all
    /// sources together).
    public var skipInvalid = false
    /// Lines per atomic append (their valid events): a crash mid-import
    /// leaves a prefix of whole batches; importing again (events with `id`)
    /// completes it without duplicates. Also the lines decoded together.
    ///
    /// Default 2,000: about 300 KB of typical events, below group commit's
    /// default `maxBytes` (1 MiB), so the syncs stay the group commit's
    /// own, beside the appends. With 10,000 (about 1.5 MB) nearly every
    /// append found more than twice `maxBytes` unsynced and synced in line,
    /// and an import ran 12-24% slower (BENCHMARKS.md, session 8).
    public var batchSize = 2_000
    /// Invalid lines kept in the report (all are counted).
    public var maxProblems = 100
    /// Inputs up to this size (default 256 MiB) are decoded once, the events
    /// held in memory, encoded, between the validation pass and the appends
    /// (about the input's size); larger ones are decoded twice, in constant
    /// memory.
    public var decodeOnceBytes: Int64 = 256 << 20
    /// Threads decoding, validating and encoding lines (each block of
    /// ``batchSize`` lines split between them, results used in line order,
    /// so reports and appends are the same as with one). Default: the
    /// machine's active processors, at most 4.
    public var decodeThreads = min(4, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public init(skipInvalid: Bool = false) { self.skipInvalid = skipInvalid }
}

/// What an import did.
public struct ImportReport: Sendable, Equatable {
    /// Lines read (valid and invalid).
    public var lines = 0
    /// Events stored.
    public var imported = 0
    /// Valid events acknowledged as duplicates (their `id` was stored).
    public var duplicates = 0
    /// Invalid lines (all of them).
    public var invalidLines = 0
    /// The first ``ImportOptions/maxProblems`` invalid lines, in order.
    public var problems: [ImportProblem] = []
}

extension Ledger {
    /// Imports JSON Lines events (events.md) from `sources`, in order.
    ///
    /// By default every line of every source is validated first and nothing
    /// is appended when any is invalid (the report lists them). With
    /// ``ImportOptions/skipInvalid`` the valid lines are appended. Events are
    /// appended in batches of ``ImportOptions/batchSize``, each atomic, and
    /// de-duplicated by `id` like any append.
    ///
    /// ```swift
    /// let report = try ledger.importJSONLines([.file("cohort.jsonl")])
    /// if report.invalidLines > 0 { report.problems.forEach { print($0) } }
    /// ```
    ///
    /// - Parameter progress: called with bytes processed and the total (both
    ///   passes counted), for a progress bar.
    /// - Throws: `.notFound`/`.io` naming an unreadable source; storage
    ///   errors while appending (batches before it stay stored).
    public func importJSONLines(_ sources: [ImportSource], options: ImportOptions = ImportOptions(),
                                progress: ((_ done: Int64, _ total: Int64) -> Void)? = nil) throws(LedgerError) -> ImportReport {
        var total: Int64 = 0
        for source in sources { total += try Self.size(of: source, system: self.options.log.systemCalls) }
        // All-or-nothing needs every line checked before anything is
        // appended. Small inputs keep the decoded events from that pass;
        // large ones are read and decoded a second time instead.
        let keepDecoded = !options.skipInvalid && total <= options.decodeOnceBytes
        let passes: Int64 = options.skipInvalid || keepDecoded ? 1 : 2
        var done: Int64 = 0
        var report = ImportReport()
        // Blocks of `batchSize` lines, decoded and prepared for the
        // append (encoded, hashed) on several threads; each block's events
        // are one atomic append.
        var kept: [PreparedEvents] = []
        if !options.skipInvalid {
            for source in sources {
                try Self.decodeBlocks(of: source, system: self.options.log.systemCalls, lines: options.batchSize,
                                      threads: options.decodeThreads, prepare: keepDecoded) { block in
                    report.lines += block.lines
                    for (line, message) in block.problems { Self.note(&report, ImportProblem(path: source.name, line: line, message: message), options) }
                    if keepDecoded && report.invalidLines == 0 { kept.append(block.events) }
                } progress: { bytes in
                    done += bytes
                    progress?(done, total * passes)
                }
            }
            guard report.invalidLines == 0 else { return report }
            if keepDecoded {
                for i in kept.indices {
                    try append(kept[i], into: &report)
                    kept[i] = PreparedEvents()  // freed as it goes
                }
                return report
            }
            report.lines = 0
        }
        var failure: LedgerError?
        for source in sources {
            try Self.decodeBlocks(of: source, system: self.options.log.systemCalls, lines: options.batchSize,
                                  threads: options.decodeThreads, prepare: true) { block in
                guard failure == nil else { return }
                report.lines += block.lines
                for (line, message) in block.problems { Self.note(&report, ImportProblem(path: source.name, line: line, message: message), options) }
                do throws(LedgerError) { try append(block.events, into: &report) } catch { failure = error }
            } progress: { bytes in
                done += bytes
                progress?(done, total * passes)
            }
            if let failure { throw failure }
        }
        return report
    }

    private func append(_ events: PreparedEvents, into report: inout ImportReport) throws(LedgerError) {
        guard !events.isEmpty else { return }
        // EventJSON.decode validated and normalized every event already.
        let result = try append(prepared: events)
        report.imported += result.stored
        report.duplicates += result.duplicates
    }

    private static func note(_ report: inout ImportReport, _ problem: ImportProblem, _ options: ImportOptions) {
        report.invalidLines += 1
        if report.problems.count < options.maxProblems { report.problems.append(problem) }
    }

    private static func size(of source: ImportSource, system: any SystemCalls) throws(LedgerError) -> Int64 {
        switch source {
        case .bytes(_, let bytes): return Int64(bytes.count)
        case .file(let path):
            do throws(StorageError) {
                return try SystemFile.open(path, flags: O_RDONLY, system: system).size()
            } catch {
                throw LedgerError(error.kind == .notFound ? .notFound : .io,
                                  error.kind == .notFound ? "no such file" : LedgerError(error).message, path: path)
            }
        }
    }

    /// Calls `body` with each block of `lines` lines of `source` (the last
    /// one shorter), decoded (``EventJSON/decode(line:)``: parsed,
    /// validated, normalized) and, when `prepare`, its valid events prepared
    /// for an append, on `threads` threads, each a contiguous part of the
    /// block. A block's problems and events are in line order.
    private static func decodeBlocks(of source: ImportSource, system: any SystemCalls, lines: Int, threads: Int, prepare: Bool,
                                     _ body: (DecodedBlock) -> Void,
                                     progress: (Int64) -> Void) throws(LedgerError) {
        var block = LineBlock()
        let lines = max(1, lines)
        try forEachLine(of: source, system: system) { number, line in
            block.append(number: number, line: line)
            if block.count >= lines {
                body(block.decode(threads: threads, prepare: prepare))
                block.removeAll()
            }
        } progress: { progress($0) }
        if block.count > 0 { body(block.decode(threads: threads, prepare: prepare)) }
    }

    /// Calls `body` with each line (1-based number, bytes without the line
    /// end) of `source`, reading files in 4 MiB chunks (events.md's line
    /// rules are ``JSONLinesReader``'s).
    private static func forEachLine(of source: ImportSource, system: any SystemCalls,
                                    _ body: (Int, UnsafeRawBufferPointer) -> Void,
                                    progress: (Int64) -> Void) throws(LedgerError) {
        switch source {
        case .bytes(_, let bytes):
            bytes.withUnsafeBytes { raw in JSONLines.forEachLine(in: raw) { body($0, $1) } }
            progress(Int64(bytes.count))
        case .file(let path):
            let file: SystemFile
            do throws(StorageError) { file = try SystemFile.open(path, flags: O_RDONLY, system: system) } catch {
                throw LedgerError(error.kind == .notFound ? .notFound : .io, error.kind == .notFound ? "no such file" : LedgerError(error).message, path: path)
            }
            let chunk = 4 << 20
            var reader = JSONLinesReader()
            var offset: Int64 = 0
            while true {
                let bytes: [UInt8]
                do throws(StorageError) { bytes = try file.read(fromAbsoluteOffset: offset, count: chunk) } catch {
                    throw LedgerError(error)
                }
                offset += Int64(bytes.count)
                bytes.withUnsafeBytes { raw in reader.feed(raw) { body($0, $1) } }
                progress(Int64(bytes.count))
                if bytes.count < chunk { break }
            }
            reader.finish { body($0, $1) }
        }
    }
}

/// What decoding a block of lines gave.
private struct DecodedBlock {
    var lines: Int
    /// The invalid lines: number and message, in line order.
    var problems: [(Int, String)]
    /// The valid lines' events, prepared (when asked), in line order.
    var events: PreparedEvents
}

/// A block of input lines copied out of the reader's buffer, decoded in
/// parallel.
private struct LineBlock {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var numbers: [Int] = []
    /// Each part's output.
    var parts: [PreparedEvents] = []
    var problems: [[(Int, String)]] = []
    var count: Int { numbers.count }

    mutating func append(number: Int, line: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: line)
        ends.append(bytes.count)
        numbers.append(number)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
    }

    /// Decodes the block on up to `threads` threads (one for small blocks),
    /// each decoding (and preparing) a contiguous run of lines into its own
    /// part; the parts are then joined in order.
    mutating func decode(threads: Int, prepare: Bool) -> DecodedBlock {
        let count = self.count
        let partCount = count < 1024 ? 1 : max(1, threads)
        while parts.count < partCount { parts.append(PreparedEvents()) }
        problems = [[(Int, String)]](repeating: [], count: partCount)
        for i in parts.indices { parts[i].removeAll() }
        let (ends, numbers) = (self.ends, self.numbers)
        bytes.withUnsafeBytes { raw in
            parts.withUnsafeMutableBufferPointer { parts in
                problems.withUnsafeMutableBufferPointer { problems in
                    // Each part writes only its own elements.
                    let shared = SharedParts(raw: raw, parts: parts, problems: problems)
                    let work: @Sendable (Int) -> Void = { part in
                        let low = count * part / partCount
                        let high = count * (part + 1) / partCount
                        for i in low..<high {
                            let start = i == 0 ? 0 : ends[i - 1]
                            switch EventJSON.decode(line: UnsafeRawBufferPointer(rebasing: shared.raw[start..<ends[i]])) {
                            case .success(let event):
                                if prepare { shared.parts[part].append(event) }
                            case .failure(let error):
                                shared.problems[part].append((numbers[i], error.message))
                            }
                        }
                    }
                    if partCount == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: partCount, execute: work) }
                }
            }
        }
        var block = DecodedBlock(lines: count, problems: problems.flatMap { $0 }, events: PreparedEvents())
        if partCount == 1 {
            swap(&block.events, &parts[0])
        } else {
            block.events.reserveCapacity(parts[0..<partCount].reduce(0) { $0 + $1.count })
            for part in parts[0..<partCount] { block.events.append(contentsOf: part) }
        }
        return block
    }
}

/// The input and outputs of ``LineBlock/decode(threads:prepare:)``, shared by
/// its threads, which read `raw` and write disjoint elements of the others.
private struct SharedParts: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    let parts: UnsafeMutableBufferPointer<PreparedEvents>
    let problems: UnsafeMutableBufferPointer<[(Int, String)]>
}
