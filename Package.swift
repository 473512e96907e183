// swift-tools-version:6.0
import Foundation
import PackageDescription

// MARK: - Build settings

/// CPU the SIMD kernels are compiled for. `native` (the default) is fastest on the machine that
/// builds; cluster images whose CPUs differ set e.g. TRAINYARD_TARGET_CPU=haswell or
/// skylake-avx512 (see docs/OPERATIONS.md). Without FMA, SIMD code falls back to libm calls.
let targetCPU = ProcessInfo.processInfo.environment["TRAINYARD_TARGET_CPU"] ?? "native"

/// Settings for targets with hot numeric loops.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU]),
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The git revision of the checkout this manifest lives in, read from `.git` without running git.
func gitRevision() -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let git = root.appendingPathComponent(".git")
    guard
        let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    else { return "" }
    guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
    let ref = String(head.dropFirst(5))
    if let hash = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
        return String(hash.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
    }
    if let packed = try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8) {
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.prefix(12))
        }
    }
    return ""
}

let revision = gitRevision().filter { $0.isHexDigit }

// MARK: - Package

let package = Package(
    name: "Trainyard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trainyard", targets: ["trainyard"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(name: "GradientCore", swiftSettings: kernelSettings),
        .target(
            name: "Datasets",
            dependencies: ["HexText", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: kernelSettings
        ),
        .target(
            name: "TrackingStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(name: "HexText"),
        .target(name: "TrainingProtocol", dependencies: ["HexText"]),
        .target(name: "JobConfiguration", dependencies: ["GradientCore"]),
        .target(
            name: "ModelPackage",
            dependencies: ["GradientCore", "Datasets"],
            swiftSettings: kernelSettings
        ),
        .target(
            name: "TrainingRuntime",
            dependencies: [
                "GradientCore", "HexText", "JobConfiguration", "TrainingProtocol", "ZeroMQ", "Datasets", "ModelPackage",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Sweeps", dependencies: ["JobConfiguration", "GradientCore"]),
        .target(
            name: "ModelServer",
            dependencies: [
                "ModelPackage", "Datasets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CBuildInfo",
            cSettings: [.define("TRAINYARD_GIT_REVISION", to: "\"\(revision)\"")]
        ),
        .target(
            name: "TrainyardKit",
            dependencies: [
                "ZeroMQ", "GradientCore", "HexText", "JobConfiguration", "TrainingProtocol", "TrainingRuntime",
                "TrackingStore",
                "Sweeps", "Datasets", "ModelPackage", "ModelServer",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "trainyard",
            dependencies: [
                "TrainyardKit",
                "ZeroMQ",
                "CBuildInfo",
                "GradientCore",
                "JobConfiguration",
                "TrainingProtocol",
                "TrainingRuntime",
                "TrackingStore",
                "Sweeps",
                "Datasets",
                "ModelPackage",
                "ModelServer",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "TrainyardTestSupport", path: "Tests/TrainyardTestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "TrainyardTestSupport"]),
        .testTarget(name: "TrainingProtocolTests", dependencies: ["TrainingProtocol", "HexText"]),
        .testTarget(name: "GradientCoreTests", dependencies: ["GradientCore"], swiftSettings: kernelSettings),
        .testTarget(
            name: "TrainingRuntimeTests",
            dependencies: [
                "TrainingRuntime", "GradientCore", "JobConfiguration", "TrainingProtocol", "ZeroMQ", "ModelPackage",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TrainyardCLITests", dependencies: ["TrainyardTestSupport", "ZeroMQ", "TrainingProtocol"]),
        .testTarget(
            name: "ModelPackageTests",
            dependencies: ["ModelPackage", "GradientCore", "Datasets", "TrainyardTestSupport"]
        ),
        .testTarget(
            name: "ModelServerTests",
            dependencies: ["ModelServer", "ModelPackage", "GradientCore", "Datasets", "TrainyardTestSupport"]
        ),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "JobConfiguration"]),
        .testTarget(
            name: "JobConfigurationTests", dependencies: ["JobConfiguration", "GradientCore", "TrainingProtocol"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TrainyardTestSupport"]),
        .testTarget(
            name: "TrainyardKitTests",
            dependencies: [
                "TrainyardKit", "TrainingRuntime", "TrainingProtocol", "Datasets", "JobConfiguration", "TrackingStore",
                "ZeroMQ", "TrainyardTestSupport", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TrackingStoreTests", dependencies: ["TrackingStore", "TrainyardTestSupport"]),
        .executableTarget(
            name: "KernelBench",
            dependencies: ["GradientCore"],
            path: "Benchmarks/KernelBench",
            swiftSettings: kernelSettings
        ),
        .executableTarget(
            name: "DataBench", dependencies: ["Datasets"], path: "Benchmarks/DataBench", swiftSettings: kernelSettings),
        .executableTarget(name: "TrackingBench", dependencies: ["TrackingStore"], path: "Benchmarks/TrackingBench"),
        .executableTarget(
            name: "CheckpointBench",
            dependencies: ["TrainingRuntime", "ModelPackage", "GradientCore"],
            path: "Benchmarks/CheckpointBench"
        ),
        .executableTarget(
            name: "MessagingBench",
            dependencies: ["ZeroMQ"],
            path: "Benchmarks/MessagingBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
