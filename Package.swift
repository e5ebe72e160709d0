// swift-tools-version: 6.1
//
// PatientLedger: an event-sourced patient-relationship ledger.
//
// The target list reads as the architecture (see README.md, "Layout"):
//   CLZ4, CCRC32C        C leaves: liblz4 (system library) and CRC32C (SSE4.2 + table)
//   CSystemCalls         C leaf: system calls Swift's Glibc module lacks (sync_file_range), the prefetch hint
//   LedgerStorage        the segment log: bytes, positions, timestamps; knows no patients
//   LedgerEvents         the patient event model, its validation, JSON Lines and binary codecs; touches no files
//   LedgerSimulation     the synthetic cohort generator (`ledger generate`): deterministic, streamed PatientEvents
//   LedgerProjections    profiles, tags, adherence and cohort metrics as of a time (metrics.md); pure, touches no files
//   PatientLedger        the facade an embedding service imports
//   LedgerTool           the `ledger` command-line tool
import PackageDescription

let package = Package(
    name: "PatientLedger",
    products: [
        .library(name: "PatientLedger", targets: ["PatientLedger"]),
        // The synthetic cohort of `ledger generate`, for a service's own tests
        // and for the benchmark package.
        .library(name: "LedgerSimulation", targets: ["LedgerSimulation"]),
        .executable(name: "ledger", targets: ["LedgerTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .target(name: "CCRC32C"),
        .target(name: "CSystemCalls"),
        .target(
            name: "LedgerStorage",
            dependencies: ["CLZ4", "CCRC32C", "CSystemCalls"]
        ),
        .target(name: "LedgerEvents"),
        .target(
            name: "LedgerSimulation",
            dependencies: ["LedgerEvents"]
        ),
        .target(
            name: "LedgerProjections",
            dependencies: ["LedgerEvents"]
        ),
        .target(
            name: "PatientLedger",
            dependencies: ["LedgerStorage", "LedgerEvents", "LedgerProjections", "CSystemCalls"]
        ),
        .executableTarget(
            name: "LedgerTool",
            dependencies: [
                "PatientLedger",
                "LedgerSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "StorageDemo",
            dependencies: ["PatientLedger"],
            path: "Examples/StorageDemo"
        ),

        // Test support and helpers.
        .target(
            name: "LedgerTestSupport",
            dependencies: ["LedgerStorage"],
            path: "Tests/LedgerTestSupport"
        ),
        .executableTarget(
            name: "CrashWriter",
            dependencies: ["LedgerStorage", "LedgerTestSupport"],
            path: "Tests/CrashWriter"
        ),
        .testTarget(
            name: "LedgerStorageTests",
            dependencies: ["LedgerStorage", "LedgerTestSupport"],
            exclude: [],
            resources: []
        ),
        .testTarget(
            name: "LedgerEventsTests",
            dependencies: ["LedgerEvents"]
        ),
        .testTarget(
            name: "LedgerProjectionsTests",
            dependencies: ["LedgerProjections", "LedgerEvents"]
        ),
        .testTarget(
            name: "PatientLedgerTests",
            dependencies: ["PatientLedger", "LedgerSimulation", "LedgerTestSupport"]
        ),
        .testTarget(
            name: "LedgerSimulationTests",
            dependencies: ["LedgerSimulation", "LedgerEvents"]
        ),
        .testTarget(
            name: "LedgerToolTests",
            dependencies: ["LedgerTool", "PatientLedger", "LedgerTestSupport"]
        ),
    ]
)
