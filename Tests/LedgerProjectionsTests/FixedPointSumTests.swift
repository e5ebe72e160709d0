import Testing
@testable import LedgerProjections

/// The exact sum behind the cohort means.
@Suite struct FixedPointSumTests {
    @Test func anEmptySumHasNoMean() {
        #expect(FixedPointSum().mean == nil)
    }

    @Test func zeroCountsAsAValue() {
        var sum = FixedPointSum()
        sum.add(0)
        sum.add(1)
        #expect(sum.count == 2)
        #expect(sum.mean == 0.5)
    }

    @Test func theSumIsTheSameInEveryOrderAndPartition() {
        let values: [Double] = (1...200).map { (i: Int) -> Double in
            let rate: Double = Double(i % 37) / 365
            let score: Double = Double(i % 11) / 3
            return rate + score
        }
        var forward = FixedPointSum(), backward = FixedPointSum(), left = FixedPointSum(), right = FixedPointSum()
        values.forEach { forward.add($0) }
        values.reversed().forEach { backward.add($0) }
        for (i, v) in values.enumerated() { if i % 3 == 0 { left.add(v) } else { right.add(v) } }
        right.merge(left)
        #expect(backward == forward)
        #expect(right == forward)
        // Naive summation in two orders need not agree; the fixed-point mean
        // is within rounding of either.
        let naive = values.reduce(0, +) / Double(values.count)
        #expect(abs(forward.mean! - naive) < 1e-12)
    }

    @Test func valuesAreHeldExactly() {
        var sum = FixedPointSum()
        for _ in 0..<10 { sum.add(0.1) }
        // 10 x the double nearest 0.1, exactly, then one rounding: 1.0.
        #expect(sum.mean == 0.1)
        var mixed = FixedPointSum()
        mixed.add(3)
        mixed.add(-1)
        mixed.add(0x1p-60)  // small values keep their bits above 2^-80
        #expect(mixed.mean == (2 + 0x1p-60) / 3)
    }
}
