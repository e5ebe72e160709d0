/// The generator's own random numbers: SplitMix64 to derive seeds, xoshiro256**
/// to draw. Written here (not `SystemRandomNumberGenerator`, not `Hasher`, not
/// the standard library's `random(in:using:)`, whose algorithm may change
/// between toolchains) so that a seed gives the same cohort on every machine
/// and every Swift version.

/// SplitMix64 (Steele, Lea and Flood 2014; the seeding generator recommended
/// by the xoshiro authors).
struct SplitMix64 {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finalizer: a bijective 64-bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A sub-seed for one (seed, stream, a, b) combination, e.g. (seed,
    /// patient-day stream, patient, day): every combination gets an
    /// independent-looking seed.
    @inline(__always)
    static func subSeed(_ seed: UInt64, _ stream: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = mix(seed ^ 0x6A09_E667_F3BC_C908)
        h = mix(h ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ (a &* 0xC2B2_AE3D_27D4_EB4F))
        return mix(h ^ (b &* 0x1656_67B1_9E37_79F9))
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna 2018), seeded through SplitMix64.
struct Xoshiro256 {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init(seed: UInt64) {
        var sm = SplitMix64(seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), 53 bits.
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in 0..<n (n > 0), by Lemire's multiply-shift; the bias is below
    /// 2^-40 for the small n used here.
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `range`.
    @inline(__always)
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [a, b).
    @inline(__always)
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

    /// Approximately normal (Irwin-Hall sum of four uniforms, so bounded at
    /// +-3.46 sd): no transcendental functions, no Foundation.
    @inline(__always)
    mutating func normal(_ mean: Double, _ sd: Double) -> Double {
        let sum = unit() + unit() + unit() + unit()
        return mean + sd * (sum - 2) * 1.7320508075688772
    }

    /// An index drawn by `weights` (non-negative, not all zero).
    mutating func pick(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}

/// `x` rounded to the nearest integer, halves away from zero, for the
/// magnitudes used here (|x| < 2^52). By integer conversion: `rounded()`
/// calls libm's `round`, which a program linking only this library (and no
/// Foundation) would lack.
@inline(__always)
func nearest(_ x: Double) -> Double {
    x >= 0 ? Double(Int64(x + 0.5)) : -Double(Int64(-x + 0.5))
}
