/// One segment: a data file `<base>.seg` and its index `<base>.idx`.
///
/// Immutable identity only; what the segment holds (its index entries and
/// committed end) lives in ``SegmentLog``'s published state. Thread-safe.
final class Segment: Sendable {
    /// The position of the segment's first record.
    let base: UInt64
    let file: SystemFile
    let indexPath: String

    var path: String { file.path }

    init(base: UInt64, file: SystemFile, indexPath: String) {
        self.base = base
        self.file = file
        self.indexPath = indexPath
    }
}

/// A segment and what is committed in it, as readers see it.
struct SegmentView {
    let segment: Segment
    /// One entry per committed block, in order.
    var entries: [IndexEntry]
    /// The end of the last committed block.
    var endOffset: Int64
    /// The position after the segment's last committed record.
    var endPosition: UInt64

    var base: UInt64 { segment.base }

    /// The index of the entry holding `position`; the position must be in
    /// `base..<endPosition`.
    func entryIndex(containing position: UInt64) -> Int {
        var low = 0
        var high = entries.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if entries[mid].firstPosition <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
