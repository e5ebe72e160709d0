// swift-tools-version: 6.1
//
// PatientLedger's benchmark harness: its own package, so embedders never
// build it. Run from this folder (see ../BENCHMARKS.md):
//
//   swift package benchmark --no-progress         # package-benchmark workloads
//   swift run -c release ledger-bench all         # ratios, block-size sweep, open/recovery
//
// Targets:
//   CLZ4Baseline       liblz4 for the baselines (the parent's CLZ4 is not a product)
//   StorageWorkloads   the corpus, the workloads and their baselines, shared by both runners
//   StorageBenchmarks  package-benchmark workloads (Benchmarks/StorageBenchmarks)
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
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "StorageWorkloads",
                .product(name: "PatientLedger", package: "PatientLedger"),
            ]
        ),
    ]
)
