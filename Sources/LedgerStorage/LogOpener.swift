#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a log directory: lock, metadata, segments, recovery.
///
/// Recovery of each segment (Docs/SegmentFormat.md, "Recovery"):
/// 1. Check the segment header (magic, version, log id, base = file name).
/// 2. Load the `.idx` file's valid, contiguous prefix of entries and check
///    the last one against its block. Entries are written only for durable
///    blocks, so a segment shorter than its index, or a damaged block the
///    index names, is damage. An index that names an intact block wrongly,
///    or whose entries fail their checksums, is reported and rebuilt.
/// 3. Scan and check every block past the last index entry (the unflushed
///    tail). Sealed segments must be intact to the end; the last segment's
///    torn tail is cut (read-only handles ignore it instead).
/// 4. Check that each segment starts where the previous one ends.
struct LogOpener {
    let directory: String
    let options: LogOptions
    var system: any SystemCalls { options.systemCalls }
    var readOnly: Bool { options.readOnly }

    func open() throws(StorageError) -> SegmentLog {
        let fs = FileSystem(system)
        if !readOnly && options.createIfMissing { try fs.makeDirectory(directory) }
        var names: [String]
        do throws(StorageError) {
            names = try fs.list(directory)
        } catch where error.kind == .notFound {
            throw StorageError(.notFound, path: directory, message: "no such log directory")
        }
        var lockFile: SystemFile?
        if !readOnly {
            let lock = try SystemFile.open(directory + "/" + SegmentFormat.lockFileName, flags: O_RDWR | O_CREAT, system: system)
            let r = system.flock(lock.descriptor, operation: LOCK_EX | LOCK_NB)
            if r == -EWOULDBLOCK || r == -EAGAIN {
                throw StorageError(.locked, path: directory, message: "the log is locked by another writer")
            } else if r != 0 {
                throw StorageError(.io, path: lock.path, errno: -r, message: "cannot lock")
            }
            lockFile = lock
            // Leftovers of an interrupted atomic write.
            for name in names where name.hasSuffix(".tmp") { try fs.remove(directory + "/" + name) }
            names.removeAll { $0.hasSuffix(".tmp") }
        }

        let bases = names.compactMap { SegmentFormat.parseStem($0, suffix: SegmentFormat.segmentSuffix) }.sorted()
        let logID: [UInt8]
        if names.contains(SegmentFormat.logFileName) {
            logID = try readLogFile()
        } else if bases.isEmpty && !readOnly && options.createIfMissing {
            logID = try createLogFile(fs)
        } else {
            throw StorageError(.notFound, path: directory, message: "not a PatientLedger log (no LOG file)")
        }

        var report = RecoveryReport()
        var views: [SegmentView] = []
        let reader = BlockReader()
        for (i, base) in bases.enumerated() {
            let isLast = i == bases.count - 1
            guard let view = try loadSegment(base: base, isLast: isLast, logID: logID, reader: reader, report: &report) else { continue }
            if let previous = views.last, previous.endPosition != view.base {
                throw StorageError.corruption(view.segment.path, 0,
                    "segment starts at position \(view.base) but the previous one ends at \(previous.endPosition)")
            } else if views.isEmpty && view.base != 0 {
                throw StorageError.corruption(view.segment.path, 0, "first segment starts at position \(view.base), not 0")
            }
            views.append(view)
        }

        // The running maximum of timestamps, for reads from a time; set here,
        // while the arrays are uniquely owned, so nothing is copied.
        var running = Int64.min
        for s in views.indices {
            for e in views[s].entries.indices {
                running = max(running, views[s].entries[e].maxTimestamp)
                views[s].entries[e].runningMaxTimestamp = running
            }
        }

        guard !readOnly else {
            return SegmentLog(directory: directory, options: options, logID: logID, lockFile: nil,
                              segments: views, writer: nil, report: report)
        }
        if views.isEmpty {
            let created = try SegmentLog.createSegmentFiles(directory: directory, base: 0, logID: logID, system: system)
            views.append(SegmentView(segment: created.segment, entries: [],
                                     endOffset: Int64(SegmentFormat.segmentHeaderLength), endPosition: 0))
        }
        let active = views[views.count - 1]
        let indexFile = try SystemFile.open(active.segment.indexPath, flags: O_RDWR, system: system)
        let builder = BlockBuilder(capacity: options.blockBytes + 4096)
        builder.reset(firstPosition: active.endPosition)
        let writer = SegmentLog.WriterState(
            segment: active.segment, indexFile: indexFile, nextPosition: active.endPosition, builder: builder,
            pipeline: BlockPipeline(file: active.segment.file, offset: active.endOffset, blockBytes: options.blockBytes),
            persistedEntries: active.entries.count, lastCheckpointOffset: active.endOffset)
        return SegmentLog(directory: directory, options: options, logID: logID, lockFile: lockFile,
                          segments: views, writer: writer, report: report)
    }

    // MARK: LOG file

    private func readLogFile() throws(StorageError) -> [UInt8] {
        let path = directory + "/" + SegmentFormat.logFileName
        let file = try SystemFile.open(path, flags: O_RDONLY, system: system)
        let bytes = try file.read(fromAbsoluteOffset: 0, count: SegmentFormat.logHeaderLength)
        let header = try FileHeader.decode(bytes, expectedMagic: SegmentFormat.logMagic, path: path)
        return header.logID
    }

    private func createLogFile(_ fs: FileSystem) throws(StorageError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let logID = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let header = FileHeader(magic: SegmentFormat.logMagic, logID: logID, createdAtMillis: currentTimeMillis())
        try fs.writeAtomically(directory + "/" + SegmentFormat.logFileName, directory: directory, bytes: header.encoded())
        return logID
    }

    // MARK: Segments

    func loadSegment(base: UInt64, isLast: Bool, logID: [UInt8], reader: BlockReader,
                             report: inout RecoveryReport) throws(StorageError) -> SegmentView? {
        let stem = directory + "/" + SegmentFormat.fileStem(base)
        let path = stem + SegmentFormat.segmentSuffix
        let indexPath = stem + SegmentFormat.indexSuffix
        let file = try SystemFile.open(path, flags: readOnly ? O_RDONLY : O_RDWR, system: system)
        let size = try file.size()

        // 1. Header.
        let headerBytes = try file.read(fromAbsoluteOffset: 0, count: SegmentFormat.segmentHeaderLength)
        let header: FileHeader
        do throws(StorageError) {
            header = try FileHeader.decode(headerBytes, expectedMagic: SegmentFormat.segmentMagic, path: path)
        } catch where error.kind == .corruption && isLast && size <= Int64(SegmentFormat.segmentHeaderLength) {
            // A segment whose creation was cut short: it never held a record.
            if !readOnly {
                let fs = FileSystem(system)
                try fs.remove(path)
                try fs.remove(indexPath)
                try fs.synchronizeDirectory(directory)
                report.events.append(.init(path: path, offset: 0, bytesDropped: size, reason: "segment creation interrupted; removed"))
            }
            return nil
        }
        guard header.logID == logID else { throw StorageError.corruption(path, 16, "segment belongs to another log") }
        guard header.basePosition == base else {
            throw StorageError.corruption(path, 32, "segment header says base \(header.basePosition), its name says \(base)")
        }

        // 2. Index prefix.
        let loaded = try SegmentIndexFile.load(path: indexPath, logID: logID, base: base, system: system)
        var entries = loaded.entries
        var rewriteIndex = false
        if let problem = loaded.problem, !(loaded.interruptedWrite && isLast && readOnly) {
            report.events.append(.init(path: indexPath, offset: problem.offset, bytesDropped: 0, reason: "\(problem.reason); rebuilt from segment"))
            rewriteIndex = true
        }
        // An index entry is written only once its block is durable, so the
        // index is proof: damage up to its end is damage, never a torn tail.
        if let last = entries.last {
            if last.endOffset > size {
                throw StorageError.corruption(path, size,
                    "segment ends before its durable, indexed data (index reaches offset \(last.endOffset))")
            }
            do throws(StorageError) {
                try reader.load(file, at: last.fileOffset, expected: nil)
            } catch where error.kind == .corruption {
                throw StorageError.corruption(path, last.fileOffset, "\(error.message) in data that was durable")
            }
            if IndexEntry(header: reader.header!, offset: last.fileOffset) != last {
                // An intact block that is not the one named: the index is wrong.
                report.events.append(.init(path: indexPath, offset: 0, bytesDropped: 0,
                                           reason: "index does not match segment; rebuilt from segment"))
                entries.removeAll()
                rewriteIndex = true
            }
        }

        // 3. The tail past the index.
        let start = entries.last?.endOffset ?? Int64(SegmentFormat.segmentHeaderLength)
        let startPosition = entries.last?.endPosition ?? base
        var endOffset = start
        var endPosition = startPosition
        if start < size {
            let scanner = SegmentScanner(file: file, reader: reader)
            let scanned = try scanner.scan(from: start, position: startPosition, fileSize: size)
            report.bytesScanned += size - start
            entries.append(contentsOf: scanned.entries)
            endOffset = scanned.endOffset
            endPosition = scanned.endPosition
            if !scanned.entries.isEmpty { rewriteIndex = true }
            if let tail = scanned.tail {
                if tail.isDamage {
                    throw StorageError.corruption(path, tail.damageOffset, "\(tail.reason) in data that was durable")
                }
                if !isLast {
                    throw StorageError.corruption(path, tail.damageOffset, "\(tail.reason) in a sealed segment")
                }
                if !readOnly {
                    try file.truncate(to: tail.offset)
                    report.events.append(.init(path: path, offset: tail.offset, bytesDropped: tail.bytes, reason: "torn tail: \(tail.reason)"))
                }
            }
            if !readOnly {
                // What the scan found is now made durable, so the index may name it.
                try file.synchronizeData()
            }
        } else if let last = entries.last {
            endOffset = last.endOffset
            endPosition = last.endPosition
        }

        if rewriteIndex && !readOnly {
            var bytes = SegmentIndexFile.header(logID: logID, base: base)
            bytes += SegmentIndexFile.encode(entries[...])
            try FileSystem(system).writeAtomically(indexPath, directory: directory, bytes: bytes)
        }
        return SegmentView(segment: Segment(base: base, file: file, indexPath: indexPath),
                           entries: entries, endOffset: endOffset, endPosition: endPosition)
    }
}
