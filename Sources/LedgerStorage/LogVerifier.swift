#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``SegmentLog/verify(at:systemCalls:)`` checked and found.
public struct VerificationReport: Sendable, Equatable {
    /// One problem, located: `path:offset: reason`.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The damaged file.
        public var path: String
        /// Where in it: the start of the damaged block or header.
        public var offset: Int64
        /// A short fixed reason, such as "block payload checksum mismatch".
        public var reason: String
        /// `PATH:OFFSET: reason`.
        public var description: String { "\(path):\(offset): \(reason)" }
    }

    /// Segment files checked.
    public var segments = 0
    /// Blocks read, checked and decompressed.
    public var blocks = 0
    /// Records whose framing was checked.
    public var records: UInt64 = 0
    /// Bytes of segment files read and checked.
    public var segmentBytes: Int64 = 0
    /// Index entries compared with their blocks.
    public var indexEntries = 0
    /// Damage: checksum mismatches, broken framing, position gaps, an index
    /// disagreeing with its segment. `ledger verify` exits 1 when any.
    public var problems: [Problem] = []
    /// Not damage: an uncommitted or torn tail that the next writer's open
    /// will cut, an index entry not yet written for a recent block.
    public var notes: [Problem] = []

    /// Whether no damage was found (notes allowed).
    public var isClean: Bool { problems.isEmpty }
}

extension SegmentLog {
    /// Checks every byte of a log without modifying it: each file header,
    /// each block's header and payload checksum, that every payload
    /// decompresses and its records fill it exactly, position continuity
    /// within and across segments, and that every index entry matches the
    /// block it names.
    ///
    /// Works on a log in use by a writer (it reads what is committed) and on
    /// one that fails to open. Reads everything once: O(bytes).
    ///
    /// - Throws: `.notFound` when `directory` is not a log; `.io`. Damage is
    ///   reported in the result, not thrown.
    ///
    /// - Parameter progress: called after each block with the segment bytes
    ///   checked so far and the total, for a progress bar; on this thread.
    public static func verify(at directory: String, progress: ((_ checked: Int64, _ total: Int64) -> Void)? = nil) throws(StorageError) -> VerificationReport {
        try verify(at: directory, systemCalls: LinuxSystemCalls(), progress: progress)
    }

    package static func verify(at directory: String, systemCalls system: any SystemCalls,
                               progress: ((_ checked: Int64, _ total: Int64) -> Void)? = nil) throws(StorageError) -> VerificationReport {
        let fs = FileSystem(system)
        let names = try fs.list(directory)
        var report = VerificationReport()
        guard names.contains(SegmentFormat.logFileName) else {
            throw StorageError(.notFound, path: directory, message: "not a PatientLedger log (no LOG file)")
        }
        let logPath = directory + "/" + SegmentFormat.logFileName
        var logID: [UInt8]?
        do throws(StorageError) {
            let file = try SystemFile.open(logPath, flags: O_RDONLY, system: system)
            let bytes = try file.read(fromAbsoluteOffset: 0, count: SegmentFormat.logHeaderLength)
            logID = try FileHeader.decode(bytes, expectedMagic: SegmentFormat.logMagic, path: logPath).logID
        } catch where error.kind == .corruption || error.kind == .unsupportedVersion {
            report.problems.append(.init(path: logPath, offset: error.offset ?? 0, reason: error.message))
        }

        let bases = names.compactMap { SegmentFormat.parseStem($0, suffix: SegmentFormat.segmentSuffix) }.sorted()
        var expectedBase: UInt64 = 0
        let reader = BlockReader()
        var totalBytes: Int64 = 0
        if progress != nil {
            for base in bases {
                let path = directory + "/" + SegmentFormat.fileStem(base) + SegmentFormat.segmentSuffix
                totalBytes += (try? SystemFile.open(path, flags: O_RDONLY, system: system).size()) ?? 0
            }
        }
        var checkedBefore: Int64 = 0
        for (i, base) in bases.enumerated() {
            let stem = directory + "/" + SegmentFormat.fileStem(base)
            let path = stem + SegmentFormat.segmentSuffix
            let isLast = i == bases.count - 1
            report.segments += 1
            if base != expectedBase {
                report.problems.append(.init(path: path, offset: 0,
                    reason: "segment starts at position \(base) but the previous one ends at \(expectedBase)"))
            }
            let file = try SystemFile.open(path, flags: O_RDONLY, system: system)
            let size = try file.size()
            report.segmentBytes += size
            let headerBytes = try file.read(fromAbsoluteOffset: 0, count: SegmentFormat.segmentHeaderLength)
            do throws(StorageError) {
                let header = try FileHeader.decode(headerBytes, expectedMagic: SegmentFormat.segmentMagic, path: path)
                if let logID, header.logID != logID {
                    report.problems.append(.init(path: path, offset: 16, reason: "segment belongs to another log"))
                }
                if header.basePosition != base {
                    report.problems.append(.init(path: path, offset: 32, reason: "segment header says base \(header.basePosition), its name says \(base)"))
                }
            } catch {
                if isLast && size <= Int64(SegmentFormat.segmentHeaderLength) {
                    report.notes.append(.init(path: path, offset: 0, reason: "segment creation interrupted; the next open removes it"))
                } else {
                    report.problems.append(.init(path: path, offset: error.offset ?? 0, reason: error.message))
                }
                expectedBase = base
                continue
            }

            // Index entries name durable blocks: damage before their end is
            // never a torn tail.
            let indexPath = stem + SegmentFormat.indexSuffix
            let loaded: SegmentIndexFile.Loaded
            do throws(StorageError) {
                loaded = try SegmentIndexFile.load(path: indexPath, logID: logID ?? [], base: base, system: system)
            } catch where error.kind == .unsupportedVersion {
                report.problems.append(.init(path: indexPath, offset: 0, reason: error.message))
                loaded = SegmentIndexFile.Loaded(entries: [], problem: nil)
            }
            let indexedEnd = loaded.entries.last?.endOffset ?? 0

            // Every block, resynchronizing after damage to report what follows.
            var blocks: [IndexEntry] = []
            var at = Int64(SegmentFormat.segmentHeaderLength)
            var next = base
            var committedEnd = at
            var lastEndsBatch = true
            var damaged: Set<Int64> = []
            let scanner = SegmentScanner(file: file, reader: reader)
            while at < size {
                do throws(StorageError) {
                    if size - at < Int64(SegmentFormat.blockHeaderLength) {
                        throw StorageError.corruption(path, at, "partial block header at end of file")
                    }
                    try reader.load(file, at: at, expected: nil)
                    try reader.validateRecords()
                    let header = reader.header!
                    if header.firstPosition != next {
                        report.problems.append(.init(path: path, offset: at,
                            reason: "block position \(header.firstPosition) does not follow \(next)"))
                    }
                    blocks.append(IndexEntry(header: header, offset: at))
                    report.blocks += 1
                    report.records += UInt64(header.recordCount)
                    at += Int64(header.totalLength)
                    next = header.endPosition
                    lastEndsBatch = header.endsBatch
                    if header.endsBatch { committedEnd = at }
                    progress?(checkedBefore + at, totalBytes)
                } catch where error.kind == .corruption {
                    damaged.insert(at)
                    var resume: (offset: Int64, position: UInt64)?
                    try scanner.forEachIntactHeader(after: at, fileSize: size) { offset, header in
                        resume = (offset, header.firstPosition)
                        return false
                    }
                    let claim = try scanner.laterDurabilityClaims(after: at, fileSize: size)
                    // The rule open applies (SegmentScanner): torn when no
                    // intact later block, nor the index, shows it durable.
                    if isLast && claim <= UInt64(at) && at >= indexedEnd {
                        report.notes.append(.init(path: path, offset: at,
                            reason: "torn tail (\(error.message)); the next open by a writer cuts \(size - committedEnd) bytes"))
                    } else {
                        report.problems.append(.init(path: path, offset: at, reason: error.message))
                    }
                    guard let resume else { at = size; break }
                    at = resume.offset
                    next = resume.position
                }
            }
            if !lastEndsBatch && at >= size && committedEnd < size {
                if isLast {
                    report.notes.append(.init(path: path, offset: committedEnd, reason: "batch not completed; the next open by a writer cuts it"))
                } else {
                    report.problems.append(.init(path: path, offset: committedEnd, reason: "sealed segment ends inside a batch"))
                }
            }
            expectedBase = next
            checkedBefore += size

            // The index against the blocks.
            report.indexEntries += loaded.entries.count
            if let problem = loaded.problem {
                if loaded.interruptedWrite && isLast {
                    // The active segment's index is appended to as blocks
                    // become durable; a crash can cut that write short.
                    report.notes.append(.init(path: indexPath, offset: problem.offset, reason: "\(problem.reason) (an interrupted write); rebuilt on open"))
                } else {
                    report.problems.append(.init(path: indexPath, offset: problem.offset, reason: problem.reason))
                }
            }
            let blockAt = Dictionary(blocks.map { ($0.fileOffset, $0) }, uniquingKeysWith: { first, _ in first })
            for (k, entry) in loaded.entries.enumerated() {
                let entryOffset = Int64(SegmentFormat.indexHeaderLength + k * SegmentFormat.indexEntryLength)
                // A block that could not be read is reported above, in the segment.
                if damaged.contains(entry.fileOffset) { continue }
                if blockAt[entry.fileOffset] != entry {
                    report.problems.append(.init(path: indexPath, offset: entryOffset, reason: "index entry does not match block"))
                    break
                }
            }
            if !isLast && loaded.problem == nil && loaded.entries.count < blocks.count {
                report.problems.append(.init(path: indexPath, offset: Int64(SegmentFormat.indexHeaderLength + loaded.entries.count * SegmentFormat.indexEntryLength),
                                             reason: "index of a sealed segment lacks \(blocks.count - loaded.entries.count) blocks"))
            }
        }
        return report
    }
}
