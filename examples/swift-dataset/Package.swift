// swift-tools-version: 6.1
import PackageDescription

// A synthetic dataset generator written with the Cairn library: a chain of blocks per sample,
// every random value drawn from the sample's seed, an aggregate of statistics over all samples.
let package = Package(
    name: "swift-dataset",
    platforms: [.macOS(.v15)],
    dependencies: [
        // A project of your own names Cairn by its URL instead: .package(url: "https://github.com/…/cairn", from: "…").
        .package(name: "Cairn", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "swift-dataset", dependencies: [.product(name: "Cairn", package: "Cairn")]),
    ]
)
