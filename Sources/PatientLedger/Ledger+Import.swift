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
    /// Events per atomic append: a crash mid-import leaves a prefix of whole
    /// batches; importing again (events with `id`) completes it without
    /// duplicates.
    public var batchSize = 10_000
    /// Invalid lines kept in the report (all are counted).
    public var maxProblems = 100
    /// Inputs up to this size (default 256 MiB) are decoded once, the events
    /// held in memory between the validation pass and the appends (about
    /// three times the input's size); larger ones are decoded twice, in
    /// constant memory.
    public var decodeOnceBytes: Int64 = 256 << 20
    /// Threads decoding and validating lines (in blocks of a few thousand
    /// lines, results used in line order, so reports and appends are the
    /// same as with one). Default: the machine's active processors, at most 4.
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
        var decoded: [PatientEvent] = []
        if keepDecoded {
            // Events.md lines are rarely under 100 bytes: reserving for one
            // event per 100 input bytes spares the growth copies (pages
            // never touched cost nothing).
            decoded.reserveCapacity(Int(min(total / 100, 1 << 22)))
        }
        if !options.skipInvalid {
            for source in sources {
                try Self.decodeEachLine(of: source, system: self.options.log.systemCalls, threads: options.decodeThreads) { number, decodedLine in
                    report.lines += 1
                    switch decodedLine {
                    case .success(let event):
                        if keepDecoded && report.invalidLines == 0 { decoded.append(event) }
                    case .failure(let error):
                        Self.note(&report, ImportProblem(path: source.name, line: number, message: error.message), options)
                    }
                } progress: { bytes in
                    done += bytes
                    progress?(done, total * passes)
                }
            }
            guard report.invalidLines == 0 else { return report }
            if keepDecoded {
                var start = 0
                while start < decoded.count {
                    let end = min(start + options.batchSize, decoded.count)
                    try append(decoded[start..<end], into: &report)
                    start = end
                }
                return report
            }
            report.lines = 0
        }
        var batch: [PatientEvent] = []
        batch.reserveCapacity(options.batchSize)
        var failure: LedgerError?
        for source in sources {
            try Self.decodeEachLine(of: source, system: self.options.log.systemCalls, threads: options.decodeThreads) { number, decodedLine in
                guard failure == nil else { return }
                report.lines += 1
                switch decodedLine {
                case .success(let event):
                    batch.append(event)
                    if batch.count >= options.batchSize {
                        do throws(LedgerError) { try flushBatch(&batch, into: &report) } catch { failure = error }
                    }
                case .failure(let error):
                    Self.note(&report, ImportProblem(path: source.name, line: number, message: error.message), options)
                }
            } progress: { bytes in
                done += bytes
                progress?(done, total * passes)
            }
            if let failure { throw failure }
        }
        try flushBatch(&batch, into: &report)
        return report
    }

    private func flushBatch(_ batch: inout [PatientEvent], into report: inout ImportReport) throws(LedgerError) {
        try append(batch[...], into: &report)
        batch.removeAll(keepingCapacity: true)
    }

    private func append(_ events: ArraySlice<PatientEvent>, into report: inout ImportReport) throws(LedgerError) {
        guard !events.isEmpty else { return }
        // EventJSON.decode validated and normalized every event already.
        let result = try append(validated: events)
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

    /// Calls `body` with each line's 1-based number and its decoded event or
    /// problem, in line order. Lines are decoded (``EventJSON/decode(line:)``:
    /// parsed, validated, normalized) in blocks of ``decodeBlockLines`` lines
    /// on `threads` threads, each a contiguous part of the block.
    private static func decodeEachLine(of source: ImportSource, system: any SystemCalls, threads: Int,
                                       _ body: (Int, Result<PatientEvent, EventValidationError>) -> Void,
                                       progress: (Int64) -> Void) throws(LedgerError) {
        var block = LineBlock()
        func decodeBlock() {
            block.decode(threads: threads)
            for i in 0..<block.count { body(block.numbers[i], block.results[i]!) }
            block.removeAll()
        }
        try forEachLine(of: source, system: system) { number, line in
            block.append(number: number, line: line)
            if block.count >= decodeBlockLines { decodeBlock() }
        } progress: { progress($0) }
        decodeBlock()
    }

    /// Lines decoded together.
    static let decodeBlockLines = 8192

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

/// A block of input lines copied out of the reader's buffer, decoded in
/// parallel.
private struct LineBlock {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var numbers: [Int] = []
    var results: [Result<PatientEvent, EventValidationError>?] = []
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
        results.removeAll(keepingCapacity: true)
    }

    /// Fills `results`, line `i` at `i`, on up to `threads` threads (one for
    /// small blocks), each decoding a contiguous run of lines.
    mutating func decode(threads: Int) {
        let count = self.count
        // Refilled in place: a new array per block (1-2 MB) cost a fresh,
        // zeroed mapping each time.
        results.removeAll(keepingCapacity: true)
        results.append(contentsOf: repeatElement(nil, count: count))
        let parts = count < 1024 ? 1 : max(1, threads)
        let ends = self.ends
        bytes.withUnsafeBytes { raw in
            results.withUnsafeMutableBufferPointer { results in
                // Each part writes only its own indices of `results`.
                let input = SendableBuffers(raw: raw, results: results)
                let work: @Sendable (Int) -> Void = { part in
                    let low = count * part / parts
                    let high = count * (part + 1) / parts
                    for i in low..<high {
                        let start = i == 0 ? 0 : ends[i - 1]
                        input.results[i] = EventJSON.decode(line: UnsafeRawBufferPointer(rebasing: input.raw[start..<ends[i]]))
                    }
                }
                if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
            }
        }
    }
}

/// The input and output of ``LineBlock/decode(threads:)``, shared by its
/// threads, which read `raw` and write disjoint elements of `results`.
private struct SendableBuffers: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    let results: UnsafeMutableBufferPointer<Result<PatientEvent, EventValidationError>?>
}
