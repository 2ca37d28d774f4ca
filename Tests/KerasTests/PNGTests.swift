import Foundation
import Testing
@testable import Keras

// PNG writing (our DEFLATE encoder) and reading. Files from Python's zlib with every filter type
// (Tools/fixtures/make_png_fixtures.py writes Tests/Fixtures/png/) must decode to their pixels;
// our files must decode back exactly, through the zlib decoder tested against Python elsewhere.

@Suite("PNG and Deflate")
struct PNGTests {
    struct Fixture: Decodable {
        var file: String, width: Int, height: Int, channels: Int, pixels: [UInt8]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/png")

    @Test func decodesPythonWrittenFiles() throws {
        let fixtures = try JSONDecoder().decode([Fixture].self, from: Data(FileIO.read(Self.directory.appendingPathComponent("png.json"))))
        #expect(fixtures.count == 4)
        for fixture in fixtures {
            let image = try PNG.read(Self.directory.appendingPathComponent(fixture.file))
            #expect(image.width == fixture.width && image.height == fixture.height && image.channels == fixture.channels, "\(fixture.file)")
            #expect(image.pixels == fixture.pixels, "\(fixture.file)")
        }
    }

    @Test func roundTripsEveryKindOfImage() throws {
        var generator = RandomGenerator(seed: 9)
        for channels in 1...4 {
            for (width, height) in [(1, 1), (28, 28), (97, 13)] {
                // Smooth gradients, flat regions and noise: every filter gets chosen somewhere.
                let pixels = (0..<(width * height * channels)).map { i -> UInt8 in
                    let x = (i / channels) % width, y = i / (channels * width)
                    return y % 3 == 0 ? UInt8((x * 9 + y) % 256) : y % 3 == 1 ? 200 : UInt8(generator.nextUniform() * 255)
                }
                let image = try PNG.Image(width: width, height: height, channels: channels, pixels: pixels)
                #expect(try PNG.decode(PNG.encode(image)) == image, "\(width)×\(height)×\(channels)")
            }
        }
    }

    @Test func deflateRoundTripsAndCompresses() throws {
        var generator = RandomGenerator(seed: 2)
        let repetitive = [UInt8]((0..<100_000).map { UInt8(($0 / 7) % 13) })
        let random = [UInt8]((0..<5_000).map { _ in UInt8(generator.nextUniform() * 256) })
        let long = [UInt8](repeating: 42, count: 70_000) + Array("abcabcabcabd".utf8)
        for data in [[], [7], repetitive, random, long, repetitive + random + repetitive] as [[UInt8]] {
            let compressed = Deflate.zlib(data)
            #expect(try Inflate.zlib(compressed) == data)
        }
        #expect(Deflate.zlib(repetitive).count < 2_000)
        #expect(Deflate.zlib(long).count < 600)  // 272 maximal matches of ~13 bits
    }

    @Test func damagedFilesThrow() throws {
        let image = try PNG.Image(width: 3, height: 2, channels: 3, pixels: Array(0..<18))
        let good = PNG.encode(image)
        #expect(throws: KerasError.self) { try PNG.decode(Array(good.prefix(20))) }
        #expect(throws: KerasError.self) { try PNG.decode(Array("not a png file".utf8)) }
        var badCRC = good
        badCRC[20] ^= 1  // inside IHDR
        #expect(throws: KerasError.self) { try PNG.decode(badCRC) }
        #expect(throws: KerasError.self) { try PNG.Image(width: 2, height: 2, channels: 1, pixels: [0, 0, 0]) }
        #expect(throws: KerasError.self) { try PNG.Image(width: 2, height: 2, channels: 5, pixels: Array(repeating: 0, count: 20)) }
    }
}
