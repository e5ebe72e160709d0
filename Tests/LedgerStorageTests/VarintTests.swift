import Testing
@testable import LedgerStorage

@Suite struct VarintTests {
    @Test func roundTripsBoundaryValues() {
        var buffer = [UInt8](repeating: 0, count: 16)
        for value: UInt64 in [0, 1, 127, 128, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max] {
            let written = buffer.withUnsafeMutableBytes { Varint.write(value, to: $0.baseAddress!) }
            var offset = 0
            let read = buffer.withUnsafeBytes { Varint.read(UnsafeRawBufferPointer(rebasing: $0[0..<written]), at: &offset) }
            #expect(read == value)
            #expect(offset == written)
        }
    }

    @Test func truncatedOrOverlongEncodingsAreRejected() {
        var offset = 0
        #expect(([0x80, 0x80] as [UInt8]).withUnsafeBytes { Varint.read($0, at: &offset) } == nil)
        offset = 0
        let overlong = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(overlong.withUnsafeBytes { Varint.read($0, at: &offset) } == nil)
        offset = 0
        let overflow: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]
        #expect(overflow.withUnsafeBytes { Varint.read($0, at: &offset) } == nil)
    }

    @Test func zigzagRoundTrips() {
        for value: Int64 in [0, -1, 1, -64, 64, .min, .max, -3_600_000] {
            #expect(Varint.unzigzag(Varint.zigzag(value)) == value)
        }
        #expect(Varint.zigzag(-1) == 1)
        #expect(Varint.zigzag(1) == 2)
    }
}
