/// An exact, order-independent sum of non-negative finite doubles, for the
/// cohort means: each value is held in fixed point with 80 fraction bits in
/// an `Int128`, so adding the same values in any order (or merging partial
/// sums from several cores) gives bit-identical results.
///
/// Exact for values of at least 2^-27 (every PDC, check-in adherence and
/// survey score the metrics produce, except zero, which is exact too); bits
/// below 2^-80 of smaller values are dropped, the same way every time. Room
/// for 2^40 values up to 16 each.
struct FixedPointSum: Equatable, Sendable {
    private(set) var count = 0
    private var total: Int128 = 0

    private static let fractionBits = 80

    mutating func add(_ value: Double) {
        precondition(value.isFinite && value >= 0, "FixedPointSum takes finite non-negative values")
        count += 1
        guard value != 0 else { return }
        // value = significand * 2^(exponent - 52), held as value * 2^80.
        let significand: Int128 = value.isNormal
            ? Int128(value.significandBitPattern | (1 << 52))
            : Int128(value.significandBitPattern)
        let exponent = value.isNormal ? Int(value.exponent) : -1022
        let shift = exponent - 52 + Self.fractionBits
        total += shift >= 0 ? significand << shift : significand >> -shift
    }

    mutating func merge(_ other: FixedPointSum) {
        count += other.count
        total += other.total
    }

    /// The mean of the values added; nil when none were.
    var mean: Double? {
        guard count > 0 else { return nil }
        return Double(total) / 0x1p80 / Double(count)
    }
}
