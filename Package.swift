// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cairn", targets: ["cairn"]),
        .library(name: "CairnCore", targets: ["CairnCore"]),
        .library(name: "CairnJournal", targets: ["CairnJournal"]),
        .library(name: "CairnExecutor", targets: ["CairnExecutor"]),
        .library(name: "CairnRun", targets: ["CairnRun"]),
        .library(name: "Cairn", targets: ["Cairn"]),
        .library(name: "CairnTesting", targets: ["CairnTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "CCairnSystem"),
        .target(
            name: "CairnCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(name: "CairnJournal", dependencies: ["CairnCore"]),
        .target(name: "CairnExecutor", dependencies: ["CairnCore", "CCairnSystem"]),
        .target(
            name: "CairnRun",
            dependencies: [
                "CairnCore", "CairnJournal", "CairnExecutor", "CCairnSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CairnCommandLine",
            dependencies: [
                "CairnRun", "CCairnSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "cairn", dependencies: ["CairnCommandLine"]),
        .target(
            name: "Cairn",
            dependencies: [
                "CairnRun", "CairnCore", "CairnCommandLine", "CCairnSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "cairn-bench-library", dependencies: ["Cairn", "CairnExecutor", "CairnTesting"]),
        .target(name: "CairnTesting", dependencies: ["CairnExecutor", "CairnRun", "CairnCore", "CairnJournal"]),
        .target(name: "CairnSoak", dependencies: ["CairnRun", "CairnExecutor", "CairnJournal"]),
        .executableTarget(name: "cairn-soak", dependencies: ["CairnSoak"]),
        .target(
            name: "CairnTestSupport",
            dependencies: ["CairnRun", "CairnSoak", "CairnCommandLine"],
            path: "Tests/CairnTestSupport"
        ),
        .testTarget(name: "CairnCoreTests", dependencies: ["CairnCore", "CairnTestSupport", "CairnSoak"]),
        .testTarget(name: "CairnJournalTests", dependencies: ["CairnJournal", "CairnTestSupport"]),
        .testTarget(name: "CairnLibraryTests", dependencies: ["Cairn", "CairnTesting", "CairnTestSupport"]),
        .testTarget(
            name: "CairnRunTests",
            dependencies: ["CairnRun", "CairnExecutor", "CairnTestSupport", "CairnSoak"]
        ),
    ]
)

// Package-wide Swift settings, applied in one place.
for target in package.targets where target.type != .system && target.name != "CCairnSystem" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
