import Testing
import LedgerTestSupport
@testable import LedgerStorage

@Suite struct CRC32CTests {
    /// The standard check value and the iSCSI (RFC 3720, B.4) vectors.
    static let vectors: [([UInt8], UInt32)] = [
        (Array("123456789".utf8), 0xE306_9283),
        ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        ((0..<32).map { UInt8($0) }, 0x46DD_794E),
        ((0..<32).reversed().map { UInt8($0) }, 0x113F_DB5C),
        ([], 0),
    ]

    @Test func portableImplementationMatchesStandardVectors() {
        for (input, expected) in Self.vectors {
            #expect(input.withUnsafeBytes { CRC32C.portableChecksum($0) } == expected)
        }
    }

    @Test func hardwareImplementationMatchesStandardVectors() {
        for (input, expected) in Self.vectors {
            #expect(input.withUnsafeBytes { CRC32C.hardwareChecksum($0) } == expected)
            #expect(CRC32C.checksum(input) == expected)
        }
    }

    @Test func implementationsAgreeAtEveryAlignmentAndLength() {
        var generator = SplitMix64(seed: 7)
        let data = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 2, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4000] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.portableChecksum(slice) == CRC32C.hardwareChecksum(slice))
                }
            }
        }
    }

    /// The hardware path joins three interleaved chains over spans of 2048
    /// and 256 bytes: lengths around multiples of both, and block sizes.
    @Test func interleavedChainsAgreeAroundEverySpanBoundary() {
        var generator = SplitMix64(seed: 11)
        let data = (0..<(64 << 10) + 16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var lengths = [767, 768, 769, 1535, 1536, 1537, 6143, 6144, 6145, 6144 + 768, 6144 + 767,
                       12_288 + 768 * 2 + 7, 19_000, 32 << 10, 64 << 10]
        lengths += (0..<40).map { _ in Int.random(in: 0...(64 << 10), using: &generator) }
        data.withUnsafeBytes { raw in
            for start in [0, 1, 3, 8, 13] {
                for length in lengths where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.portableChecksum(slice) == CRC32C.hardwareChecksum(slice), "start \(start) length \(length)")
                    #expect(CRC32C.hardwareChecksum(UnsafeRawBufferPointer(rebasing: slice[(length / 3)...]),
                                                    continuing: CRC32C.hardwareChecksum(UnsafeRawBufferPointer(rebasing: slice[..<(length / 3)])))
                            == CRC32C.portableChecksum(slice))
                }
            }
        }
    }

    @Test func extendingEqualsChecksumOfConcatenation() {
        let a = Array("hello, ".utf8), b = Array("world".utf8)
        #expect(CRC32C.checksum(b, continuing: CRC32C.checksum(a)) == CRC32C.checksum(a + b))
    }

    @Test func maskRoundTripsAndChangesTheValue() {
        for value: UInt32 in [0, 1, 0xE306_9283, 0xFFFF_FFFF, 0x8000_0000] {
            #expect(CRC32C.unmask(CRC32C.mask(value)) == value)
            #expect(CRC32C.mask(value) != value)
        }
    }
}
