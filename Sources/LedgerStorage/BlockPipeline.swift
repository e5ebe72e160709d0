#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Seals (compresses and checksums) and writes the writer's blocks on a
/// thread of its own, so that an appending thread fills the next block
/// while the previous one is compressed and written: on two cores, LZ4, the
/// CRC and the `pwrite` leave the append path.
///
/// Order and crash safety are those of writing in line: one worker takes
/// the jobs in order, so blocks reach the file in submission order at
/// consecutive offsets, and a batch's blocks are published (made readable) when its
/// batch-ending block is written, as before. What changes is *when*: a full
/// block is written shortly after ``submit(_:batchEnd:)`` returns, not
/// before. Everything that needs the blocks on disk first drains the pipeline
/// (``drain()``): a commit, a sync, a roll, closing. A block reaches the
/// file before a later sync, so durability is unchanged for every mode.
///
/// At most ``depth`` blocks wait or are being written; a writer filling
/// blocks faster than they are written waits for a free builder. The
/// builders are made as they are first needed, so a writer that never
/// gets ahead of its pipeline holds only a few. A failed
/// write stops the pipeline: later blocks are dropped and every later
/// submit or drain throws the error (the writer then fails until reopened,
/// and recovery cuts the unwritten tail).
///
/// **Threads.** One worker thread per writer, started by ``start(_:)``
/// and ended by ``stop()`` (the log's `close`). Jobs wait in a ring of
/// ``depth`` + 1 slots; semaphores count the jobs and the free builders, so a
/// steady stream of appends allocates nothing here (a dispatch queue
/// allocated a block per job). The worker state (`file`, `writeOffset`,
/// `writebackOffset`, `unpublished`) is touched only by the worker, or by
/// the writer, under the writer lock, between a ``drain()`` and its next
/// submit, when no job runs (the semaphores order the accesses). Hence the
/// unchecked `Sendable`.
final class BlockPipeline: @unchecked Sendable {
    /// Builders waiting or being written, at most: about a megabyte of
    /// records ahead of the file, 32 blocks of the default 32 KiB
    /// (``depth(blockBytes:)``).
    ///
    /// Deep enough to hold a large batch's blocks: the ledger's append does
    /// its own work before and after handing a batch to the log
    /// (de-duplicating ids, indexing), and with only a few blocks in
    /// flight the pipeline ran dry during that work while the appending
    /// thread waited for builders during the copy, the two taking turns
    /// on two cores. With 32 rather than 4: a JSON Lines import (batches
    /// of 10,000 events, noSync) 17% faster, typed appends in batches of
    /// 1000 5-10% faster; group commit unchanged. The cost: the builders
    /// made (about 88 KB each at 32 KiB blocks: raw and output buffers and
    /// the LZ4 stream), kept until the log closes once a writer outran its
    /// pipeline, and a commit (group commit's tick, `flush()`) then waits
    /// for up to that many blocks to be written, about 3 ms.
    let depth: Int

    /// The depth for blocks of `blockBytes`: a megabyte of them, at least
    /// 4 and at most 32 blocks.
    static func depth(blockBytes: Int) -> Int { min(max((1 << 20) / max(blockBytes, 1), 4), 32) }

    /// Builders to fill, and the jobs: the builders handed over, in order
    /// (a ring; nil asks the worker to end).
    private let free: Mutex<[BlockBuilder]>
    private let freeCount: DispatchSemaphore
    private let jobs: Mutex<JobRing>
    private let jobCount = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let running = Atomic<Bool>(false)
    /// Where written blocks are published, whether write-behind is asked
    /// (no-sync mode) and the queue it is asked on: set by ``start(_:)``,
    /// the log's own, never the log itself (a worker holding the log could
    /// outlive it, or see it vanish while it is being closed from `deinit`).
    private var publication: Publication!
    private var writesBehind = false
    private var writebackQueue: DispatchQueue!
    /// Whether a write failed (``failure`` holds the error): read by the
    /// writer on every call.
    private let failed = Atomic<Bool>(false)

    private struct Job {
        var builder: BlockBuilder
        var batchEnd: Bool
    }

    /// `depth + 1` slots: the jobs and the request to end.
    private struct JobRing {
        var slots: [Job?]
        var head = 0
        var count = 0

        init(depth: Int) { slots = [Job?](repeating: nil, count: depth + 1) }

        mutating func push(_ job: Job?) {
            precondition(count < slots.count, "more jobs than builders")
            slots[(head + count) % slots.count] = job
            count += 1
        }

        mutating func pop() -> Job? {
            precondition(count > 0, "no job")
            let job = slots[head]
            slots[head] = nil
            head = (head + 1) % slots.count
            count -= 1
            return job
        }
    }
    private let failure = Mutex<StorageError?>(nil)
    /// Raw bytes submitted and not yet written, and the end of what is
    /// written: the writer's estimate of the segment's size before a drain.
    private let pendingBytes = Atomic<Int>(0)
    private let writtenEnd: Atomic<Int64>

    // Worker state (see the type's comment).
    /// The active segment file and the offset the next block is written at.
    var file: SystemFile
    private(set) var writeOffset: Int64
    /// The offset through which the active segment is synced (the blocks'
    /// `durableThrough` field). Atomic: a group commit records its sync
    /// while blocks are being written.
    var durableOffset: Int64 {
        get { durable.load(ordering: .acquiring) }
        set { durable.store(newValue, ordering: .releasing) }
    }
    private let durable: Atomic<Int64>
    /// Where the last write-behind request ended (no-sync mode).
    private var writebackOffset: Int64
    /// Blocks written since the last batch-ending block: not yet visible.
    private var unpublished: [IndexEntry] = []

    init(file: SystemFile, offset: Int64, blockBytes: Int) {
        self.file = file
        writeOffset = offset
        durable = Atomic(offset)
        writebackOffset = offset
        writtenEnd = Atomic(offset)
        builderCapacity = blockBytes + 4096
        depth = Self.depth(blockBytes: blockBytes)
        freeCount = DispatchSemaphore(value: depth)
        jobs = Mutex(JobRing(depth: depth))
        free = Mutex([BlockBuilder(capacity: builderCapacity)])
        unpublished.reserveCapacity(64)
    }

    /// The capacity of each builder: a block and a large record's room.
    private let builderCapacity: Int
    /// Builders this pipeline made so far (at most ``depth``: the
    /// writer's own, which it swaps for one of them at each submit, is
    /// not counted).
    var buildersMade: Int { made.load(ordering: .relaxed) }
    private let made = Atomic(1)

    /// An upper bound of the active segment's size once everything submitted
    /// is written (raw sizes count for blocks not yet compressed).
    var estimatedEnd: Int64 {
        let pending = pendingBytes.load(ordering: .acquiring)
        return writtenEnd.load(ordering: .acquiring) + Int64(pending)
    }

    /// Starts the worker thread for `log`'s blocks.
    func start(_ log: SegmentLog) {
        publication = log.publication
        if case .noSync = log.options.durability { writesBehind = true }
        writebackQueue = log.timerQueue
        running.store(true, ordering: .releasing)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let pipeline = Unmanaged<BlockPipeline>.fromOpaque(context!).takeRetainedValue()
            pipeline.work()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }

    /// Drains the pipeline and ends the worker thread. Idempotent.
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        waitUntilIdle()
        jobs.withLock { $0.push(nil) }
        jobCount.signal()
        stopped.wait()
    }

    /// Hands `builder` (not empty) over to be sealed and written, and returns
    /// an empty builder to fill next, waiting for one when ``depth`` blocks
    /// are in flight.
    ///
    /// - Throws: the error of an earlier failed write (nothing is submitted).
    func submit(_ builder: BlockBuilder, batchEnd: Bool) throws(StorageError) -> BlockBuilder {
        freeCount.wait()
        if let error = failure.withLock({ $0 }) {
            freeCount.signal()
            throw error
        }
        // A permit with no builder free: fewer than `depth` are made yet.
        let next = free.withLock { $0.popLast() } ?? {
            made.add(1, ordering: .relaxed)
            return BlockBuilder(capacity: builderCapacity)
        }()
        pendingBytes.add(SegmentFormat.blockHeaderLength + builder.rawCount, ordering: .releasing)
        jobs.withLock { $0.push(Job(builder: builder, batchEnd: batchEnd)) }
        jobCount.signal()
        return next
    }

    /// The error of a failed write, if any: cheap (an atomic load) while
    /// none failed.
    var error: StorageError? {
        guard failed.load(ordering: .acquiring) else { return nil }
        return failure.withLock { $0 }
    }

    /// Waits until every submitted block is written (and published, when
    /// its batch ended).
    ///
    /// - Throws: the error of a failed write.
    func drain() throws(StorageError) {
        waitUntilIdle()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Every builder is back once every job has finished: taking all of
    /// them (and giving them back) waits for exactly that.
    private func waitUntilIdle() {
        for _ in 0..<depth { freeCount.wait() }
        for _ in 0..<depth { freeCount.signal() }
    }

    /// The worker thread: one job after another until asked to end.
    private func work() {
        while true {
            jobCount.wait()
            guard let job = jobs.withLock({ $0.pop() }) else { break }
            let raw = SegmentFormat.blockHeaderLength + job.builder.rawCount
            write(job.builder, batchEnd: job.batchEnd)
            pendingBytes.subtract(raw, ordering: .releasing)
            // A builder that grew for a large record is not kept at that
            // size (there may be ``depth`` of them): a fresh one replaces it.
            let builder = job.builder.capacity > 2 * builderCapacity ? BlockBuilder(capacity: builderCapacity) : job.builder
            free.withLock { $0.append(builder) }
            freeCount.signal()
        }
        stopped.signal()
    }

    /// Points the pipeline at a new active segment, empty past its header.
    /// Only after a ``drain()``.
    func startSegment(_ file: SystemFile, offset: Int64) {
        self.file = file
        writeOffset = offset
        durableOffset = offset
        writebackOffset = offset
        writtenEnd.store(offset, ordering: .releasing)
    }

    /// Bytes written between write-behind requests in no-sync mode.
    static let writebackBytes: Int64 = 8 << 20

    /// One job: seals and writes one block, publishes the batch it ends.
    private func write(_ builder: BlockBuilder, batchEnd: Bool) {
        guard failure.withLock({ $0 }) == nil else { return }
        let (header, bytes) = builder.seal(batchEnd: batchEnd, durableThrough: UInt64(durableOffset), compress: true)
        do throws(StorageError) {
            try file.write(toAbsoluteOffset: writeOffset, bytes)
        } catch {
            failure.withLock { $0 = error }
            failed.store(true, ordering: .releasing)
            return
        }
        unpublished.append(IndexEntry(header: header, offset: writeOffset))
        writeOffset += Int64(bytes.count)
        writtenEnd.store(writeOffset, ordering: .releasing)
        if writesBehind, writeOffset - writebackOffset >= Self.writebackBytes {
            // Write-behind (as RocksDB's bytes_per_sync): keeps the dirty
            // data small, so the sync at the next roll or flush is short
            // instead of a stall of a whole segment's worth. Requested from
            // the commit queue: sync_file_range may block when the device
            // queue is full, and the block writes must not.
            let (file, offset, length) = (self.file, writebackOffset, writeOffset - writebackOffset)
            writebackQueue.async { file.startWriteback(offset: offset, length: length) }
            writebackOffset = writeOffset
        }
        if batchEnd {
            publication.publish(unpublished)
            unpublished.removeAll(keepingCapacity: true)
        }
    }
}
