/// An exact, order-independent sum of finite doubles, for the
/// cohort means: each value is held in fixed point with 80 fraction bits in
/// an `Int128`, so adding the same values in any order (or merging partial
/// sums from several cores) gives bit-identical results.
///
/// Exact for values of at least 2^-27 (every PDC, check-in adherence and
/// survey score the metrics produce, and zero); bits below 2^-80 of smaller
/// magnitudes are dropped, the same way every time. Room for 2^40 values of
/// magnitude up to 16 each (scores are 0...10, rates 0...1).
struct FixedPointSum: Equatable, Sendable {
    private(set) var count = 0
    private var total: Int128 = 0

    private static let fractionBits = 80

    mutating func add(_ value: Double) {
        precondition(value.isFinite, "FixedPointSum takes finite values")
        count += 1
        guard value != 0 else { return }
        let magnitude = value.magnitude
        // value = significand * 2^(exponent - 52), held as value * 2^80.
        let significand: Int128 = magnitude.isNormal
            ? Int128(magnitude.significandBitPattern | (1 << 52))
            : Int128(magnitude.significandBitPattern)
        let exponent = magnitude.isNormal ? Int(magnitude.exponent) : -1022
        let shift = exponent - 52 + Self.fractionBits
        let fixed = shift >= 0 ? significand << shift : significand >> -shift
        total += value < 0 ? -fixed : fixed
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
