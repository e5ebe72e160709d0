import Synchronization

/// What readers of a log see (the committed segments, the end and durable
/// positions, the tails waiting for more), behind one lock. Shared by the
/// log and its block pipeline's worker, which publishes the blocks it
/// writes: a reference of its own, so the worker never holds the log.
final class Publication: Sendable {
    let state: Mutex<SegmentLog.Published>

    init(_ state: SegmentLog.Published) { self.state = Mutex(state) }

    /// Makes the records of `entries` (blocks just written to the active
    /// segment, the last one ending a batch) visible.
    func publish(_ entries: [IndexEntry]) {
        let resumed = state.withLock { state -> [SegmentLog.Waiter] in
            let last = state.segments.count - 1
            var running = state.maxTimestamp
            for var entry in entries {
                running = max(running, entry.maxTimestamp)
                entry.runningMaxTimestamp = running
                state.segments[last].entries.append(entry)
            }
            state.maxTimestamp = running
            if let final = entries.last {
                state.segments[last].endOffset = final.endOffset
                state.segments[last].endPosition = final.endPosition
                state.endPosition = final.endPosition
            }
            return Self.takeWaiters(&state)
        }
        for waiter in resumed { waiter.continuation.resume(returning: true) }
    }

    func markDurable(_ position: UInt64) {
        let resumed = state.withLock { state -> [SegmentLog.Waiter] in
            state.durablePosition = max(state.durablePosition, position)
            return Self.takeWaiters(&state)
        }
        for waiter in resumed { waiter.continuation.resume(returning: true) }
    }

    /// Removes and returns the waiters whose condition now holds.
    static func takeWaiters(_ state: inout SegmentLog.Published) -> [SegmentLog.Waiter] {
        guard !state.waiters.isEmpty else { return [] }
        var ready: [SegmentLog.Waiter] = []
        state.waiters.removeAll { waiter in
            let reached = waiter.durable ? state.durablePosition >= waiter.position : state.endPosition > waiter.position
            if reached { ready.append(waiter) }
            return reached
        }
        return ready
    }
}
