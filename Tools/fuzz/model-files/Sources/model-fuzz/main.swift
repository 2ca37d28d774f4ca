import Foundation
import Keras

// Mutates the saving fixtures (byte flips, inserted and deleted runs, truncation, splices) and
// loads each result; every input must load or throw a KerasError. A trap ends the run with the
// offending input left in $TMPDIR/model-fuzz-crash.<ext>, to reproduce with `model-fuzz FILE`.

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/saving")
let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
    .filter { $0.hasSuffix(".keras") || $0.hasSuffix(".h5") || $0.hasSuffix(".json") }.sorted()
let seeds = try names.map { ($0, [UInt8](try Data(contentsOf: fixtures.appendingPathComponent($0)))) }

func load(_ bytes: [UInt8], name: String, at path: String) {
    let url = URL(fileURLWithPath: path)
    do {
        if name.hasSuffix(".json") {
            _ = try Keras.modelFromJSON(String(decoding: bytes, as: UTF8.self))
            return
        }
        try Data(bytes).write(to: url)
        if name.hasSuffix(".weights.h5") || name.hasSuffix("_weights.h5") {
            let json = name.replacingOccurrences(of: ".weights.h5", with: ".json").replacingOccurrences(of: "_weights.h5", with: ".json")
            if let text = try? String(contentsOf: fixtures.appendingPathComponent(json), encoding: .utf8) {
                try Keras.modelFromJSON(text).loadWeights(path)
            }
        } else {
            _ = try Keras.loadModel(path)
        }
    } catch is KerasError {
    } catch {
        fatalError("\(name): unexpected error \(error)")
    }
}

let arguments = CommandLine.arguments.dropFirst()
if let file = arguments.first, FileManager.default.fileExists(atPath: file) {
    load([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), name: file, at: NSTemporaryDirectory() + "model-fuzz-repro" + (file.hasSuffix(".json") ? ".json" : ".keras"))
    print("loaded or threw: ok")
    exit(0)
}
let seconds = Double(arguments.first ?? "60") ?? 60
var generator = SystemRandomNumberGenerator()
let start = Date()
var executions = 0
var perKind: [String: Int] = [:]
while Date().timeIntervalSince(start) < seconds {
    let (name, seed) = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
    var bytes = seed
    for _ in 0..<Int.random(in: 1...6, using: &generator) where !bytes.isEmpty {
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: bytes[at] ^= UInt8.random(in: 1...255, using: &generator)
        case 1: bytes[at] = [0, 0xFF, 0x7F, 0x80, 1][Int.random(in: 0..<5, using: &generator)]
        case 2: bytes.insert(contentsOf: [UInt8](repeating: UInt8.random(in: 0...255, using: &generator), count: Int.random(in: 1...64, using: &generator)), at: at)
        case 3: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &generator)))
        case 4: bytes.removeSubrange(at...)
        default:
            let other = seeds[Int.random(in: 0..<seeds.count, using: &generator)].1
            let from = Int.random(in: 0..<other.count, using: &generator)
            let length = min(Int.random(in: 1...256, using: &generator), other.count - from, bytes.count - at)
            bytes.replaceSubrange(at..<at + length, with: other[from..<from + length])
        }
    }
    let ext = (name as NSString).pathExtension
    let crashPath = NSTemporaryDirectory() + "model-fuzz-crash." + ext
    try Data(bytes).write(to: URL(fileURLWithPath: crashPath))  // kept if the load traps
    load(bytes, name: name, at: NSTemporaryDirectory() + "model-fuzz-input." + (name.hasSuffix(".weights.h5") ? "weights.h5" : ext))
    executions += 1
    perKind[ext, default: 0] += 1
}
print("model-fuzz: \(executions) inputs in \(Int(seconds)) s, no crash; by kind \(perKind.sorted { $0.key < $1.key })")
