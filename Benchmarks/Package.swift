// swift-tools-version: 6.1
//
// PatientLedger's benchmark harness: its own package, so embedders never
// build it. Run from this folder (see ../BENCHMARKS.md):
//
//   swift package benchmark --no-progress         # package-benchmark workloads
//   swift run -c release ledger-bench all         # ratios, sweep, open/recovery, typed events, SQLite
//
// Targets:
//   CLZ4Baseline       liblz4 for the baselines (the parent's CLZ4 is not a product)
//   CSQLite            the system libsqlite3, for the SQLite baseline
//   StorageWorkloads   the corpus, the workloads and their baselines, shared by both runners
//   LedgerWorkloads    typed PatientEvents through the Ledger facade, the SQLite baseline, cached ledgers
//   StorageBenchmarks  package-benchmark workloads of the segment log (Benchmarks/StorageBenchmarks)
//   LedgerBenchmarks   package-benchmark workloads of the Ledger facade and SQLite (Benchmarks/LedgerBenchmarks)
//   ledger-bench       plain executable: same-run ratios, block-size sweep, open after close/crash
import PackageDescription

let package = Package(
    name: "PatientLedgerBenchmarks",
    dependencies: [
        .package(name: "PatientLedger", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4Baseline",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "StorageWorkloads",
            dependencies: [
                .product(name: "PatientLedger", package: "PatientLedger"),
                "CLZ4Baseline",
            ]
        ),
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                "StorageWorkloads",
                .product(name: "PatientLedger", package: "PatientLedger"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StorageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .target(
            name: "LedgerWorkloads",
            dependencies: [
                "StorageWorkloads",
                "CSQLite",
                .product(name: "PatientLedger", package: "PatientLedger"),
            ]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                "StorageWorkloads",
                "LedgerWorkloads",
                .product(name: "PatientLedger", package: "PatientLedger"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "StorageWorkloads",
                "LedgerWorkloads",
                .product(name: "PatientLedger", package: "PatientLedger"),
            ]
        ),
    ]
)
