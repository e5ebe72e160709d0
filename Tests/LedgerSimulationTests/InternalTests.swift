// Internal layout checks need `@testable`, which only debug builds allow;
// release test runs (the throughput report) skip this file.
#if DEBUG
import Testing
@testable import LedgerSimulation

@Suite struct InternalTests {
    @Test func identifiersAreWrittenDirectly() {
        #expect(PatientState.identifier(UInt8(ascii: "e"), "P000001", 0) == "e-P000001-0")
        #expect(PatientState.identifier(UInt8(ascii: "m"), "P123456", 42) == "m-P123456-42")
        #expect(PatientState.identifier(UInt8(ascii: "a"), "P1234567", 18_446_744_073_709_551_615) == "a-P1234567-18446744073709551615")
        #expect(PatientState.patientId(1) == "P000001" && PatientState.patientId(1_234_567) == "P1234567")
    }

    @Test func roundingWithoutLibm() {
        #expect(nearest(2.5) == 3 && nearest(2.49) == 2 && nearest(-2.5) == -3 && nearest(-0.4) == 0 && nearest(7) == 7)
    }

    /// A patient's simulation state is a few hundred bytes, inline.
    @Test func patientStateIsSmall() {
        let size = MemoryLayout<PatientState>.size
        print("InternalTests: PatientState is \(size) bytes")
        #expect(size <= 512)
        #expect(MemoryLayout<Task>.size <= 16)
    }
}
#endif
