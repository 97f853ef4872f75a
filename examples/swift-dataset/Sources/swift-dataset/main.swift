import Cairn
import Foundation

// A synthetic dataset of shapes, generated the way dataset generators are written: blocks run
// per sample (shape → render → label), each drawing its random values from the sample's seed,
// then an aggregate of statistics over every sample.
//
//   swift run -c release swift-dataset run        generates out/ here
//   swift run -c release swift-dataset resume     continues after an interruption
//   swift run -c release swift-dataset plan|status|trials|log

let samples = Int(ProcessInfo.processInfo.environment["SAMPLES"] ?? "") ?? 500
let blockDelay = Double(ProcessInfo.processInfo.environment["BLOCK_DELAY"] ?? "") ?? 0

var pipeline = Pipeline("swift-dataset", seed: 20261203)
pipeline.axis("sample", 0..<samples)
pipeline.param("size", 32)

/// Block 1: what the sample shows, drawn from the sample's seed.
pipeline.step("shape", version: "1", outputs: ["spec": "out/samples/{sample:05d}/shape.json"]) { unit in
    var random = unit.random(stream: "shape")
    let kinds = ["circle", "square", "triangle"]
    let size = try unit.value("size").number ?? 32
    let shape = Shape(kind: random.element(of: kinds)!, radius: random.double(in: 0.15..<0.45) * size,
                      x: random.double(in: 0.3..<0.7) * size, y: random.double(in: 0.3..<0.7) * size,
                      brightness: random.int(in: 128...255))
    if blockDelay > 0 { try await Task.sleep(for: .seconds(blockDelay)) }
    try JSONEncoder.sorted.encode(shape).write(to: URL(fileURLWithPath: try unit.output("spec")))
}

/// Block 2: the image (a PGM file), with noise from its own stream.
pipeline.step("render", version: "1", inputs: ["spec": .output(step: "shape", output: "spec")],
              outputs: ["image": "out/samples/{sample:05d}/image.pgm"]) { unit in
    let shape = try JSONDecoder().decode(Shape.self, from: Data(contentsOf: URL(fileURLWithPath: try unit.input("spec"))))
    var noise = unit.random(stream: "noise")
    let size = Int(try unit.value("size").number ?? 32)
    var pixels = [UInt8](repeating: 0, count: size * size)
    for row in 0..<size {
        for column in 0..<size {
            let inside = shape.contains(x: Double(column) + 0.5, y: Double(row) + 0.5)
            let base = inside ? shape.brightness : 20
            pixels[row * size + column] = UInt8(clamping: base + noise.int(in: -15...15))
        }
    }
    try Task.checkCancellation()
    var file = Data("P5\n\(size) \(size)\n255\n".utf8)
    file.append(contentsOf: pixels)
    try file.write(to: URL(fileURLWithPath: try unit.output("image")))
    unit.logger.info("rendered", metadata: ["kind": "\(shape.kind)"])
}

/// Block 3: the label a model would learn.
pipeline.step("label", version: "1", inputs: ["spec": .output(step: "shape", output: "spec")],
              outputs: ["label": "out/samples/{sample:05d}/label.txt"]) { unit in
    let shape = try JSONDecoder().decode(Shape.self, from: Data(contentsOf: URL(fileURLWithPath: try unit.input("spec"))))
    try "\(shape.kind)\n".write(toFile: try unit.output("label"), atomically: false, encoding: .utf8)
}

/// The aggregate: statistics over every sample.
pipeline.step("stats", version: "1", foreach: .once, needs: ["render"],
              inputs: ["specs": .output(step: "shape", output: "spec"), "labels": .output(step: "label", output: "label")],
              outputs: ["stats": "out/stats.json"]) { unit in
    var counts: [String: Int] = [:]
    var radius = 0.0
    let specs = try unit.inputs("specs")
    for path in specs {
        let shape = try JSONDecoder().decode(Shape.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        counts[shape.kind, default: 0] += 1
        radius += shape.radius
    }
    let stats = Stats(samples: specs.count, counts: counts, meanRadius: specs.isEmpty ? 0 : radius / Double(specs.count))
    try JSONEncoder.sorted.encode(stats).write(to: URL(fileURLWithPath: try unit.output("stats")))
}

struct Shape: Codable {
    var kind: String
    var radius: Double
    var x: Double
    var y: Double
    var brightness: Int

    func contains(x px: Double, y py: Double) -> Bool {
        let (dx, dy) = (px - x, py - y)
        switch kind {
        case "circle": return dx * dx + dy * dy <= radius * radius
        case "square": return abs(dx) <= radius && abs(dy) <= radius
        default: return dy <= radius && dy >= -radius && abs(dx) <= (radius - dy) / 2
        }
    }
}

struct Stats: Codable {
    var samples: Int
    var counts: [String: Int]
    var meanRadius: Double
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

CairnCommand.main(pipeline)
