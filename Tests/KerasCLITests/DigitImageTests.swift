import Foundation
import Keras
import KerasServer
import Testing

@Suite("MNIST-style preprocessing of drawings")
struct DigitImageTests {
    /// A `width × height` picture with full ink in `rectangle` and none elsewhere.
    static func picture(width: Int, height: Int, ink rectangle: (x: Range<Int>, y: Range<Int>)) throws -> DigitImage {
        try DigitImage(width: width, height: height, ink: (0..<(width * height)).map { index in
            rectangle.x.contains(index % width) && rectangle.y.contains(index / width) ? 1 : 0
        })
    }

    /// The centre of mass of a square picture, in pixel units (pixel i spans i…i+1).
    static func centreOfMass(_ image: DigitImage) -> (x: Float, y: Float) {
        var (mass, x, y): (Float, Float, Float) = (0, 0, 0)
        for (index, value) in image.ink.enumerated() {
            mass += value
            x += value * (Float(index % image.width) + 0.5)
            y += value * (Float(index / image.width) + 0.5)
        }
        return (x / mass, y / mass)
    }

    @Test("a tall stroke is cropped, scaled to 20 pixels high keeping its aspect ratio, and centred by mass")
    func tallStroke() throws {
        // A 40×160 bar in the corner of a 280×280 canvas: 20 high, 5 wide after scaling.
        let drawing = try Self.picture(width: 280, height: 280, ink: (10..<50, 100..<260))
        let image = try #require(drawing.mnistStyle())
        #expect(image.width == 28 && image.height == 28)
        let bounds = try #require(image.inkBounds(threshold: 0.5))
        #expect(bounds.y.count == 20)
        #expect(bounds.x.count == 5)
        let centre = Self.centreOfMass(image)
        #expect(abs(centre.x - 14) <= 0.5 && abs(centre.y - 14) <= 0.5)
        // Area averaging keeps the amount of ink: 5 × 20 full pixels.
        #expect(abs(image.ink.reduce(0, +) - 100) < 0.01)
    }

    @Test("area averaging makes grey edges where a pixel is partly covered (anti-aliasing)")
    func antiAliasing() throws {
        // 30 wide, 60 high → 10 × 20: each new pixel covers 3 × 3 old ones. A bar 4 old pixels wide
        // covers one new column fully and a third of the next.
        let drawing = try Self.picture(width: 30, height: 60, ink: (0..<4, 0..<60))
        var framed = [Float](repeating: 0, count: 30 * 60)
        framed[29] = 1  // one dot at the far right keeps the bounding box 30 wide
        let combined = try DigitImage(width: 30, height: 60, ink: zip(drawing.ink, framed).map { max($0, $1) })
        let image = try #require(combined.mnistStyle())
        let row = (0..<28).map { image.ink[14 * 28 + $0] }
        #expect(row.contains(1))
        #expect(row.contains { abs($0 - 1 / 3) < 1e-4 })
        #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test("a blank drawing has no MNIST picture")
    func blank() throws {
        let drawing = try DigitImage(width: 280, height: 280, ink: [Float](repeating: 0, count: 280 * 280))
        #expect(drawing.mnistStyle() == nil)
    }

    @Test("a digit already in MNIST form stays nearly the same")
    func mnistFormIsStable() throws {
        // A ring 20 high, 14 wide, centred: preprocessing it again changes little.
        var ink = [Float](repeating: 0, count: 784)
        for y in 4..<24 {
            for x in 7..<21 where y < 6 || y > 21 || x < 9 || x > 18 { ink[y * 28 + x] = 1 }
        }
        let image = try DigitImage(width: 28, height: 28, ink: ink)
        let again = try #require(image.mnistStyle())
        let difference: Float = zip(again.ink, ink).map { abs($0 - $1) }.reduce(0, +)
        #expect(difference < 1)
    }

    @Test("wrong pixel counts, NaN and values outside 0…1 are refused with the reason")
    func invalidPixels() throws {
        #expect(throws: KerasError.self) { try DigitImage(width: 28, height: 28, ink: [Float](repeating: 0, count: 783)) }
        #expect(throws: KerasError.self) { try DigitImage(width: 1 << 40, height: 1 << 40, ink: [0]) }
        #expect(throws: KerasError.self) { try DigitImage(width: 1, height: 2, ink: [0, .nan]) }
        #expect(throws: KerasError.self) { try DigitImage(width: 1, height: 2, ink: [0, 1.5]) }
    }

    @Test("PNG pictures: dark ink on white, and opaque ink on a transparent canvas")
    func pngInk() throws {
        // 2×1 RGBA: a white opaque pixel, a black opaque one; then 2×1 grey+alpha: transparent, opaque black.
        let rgba = try PNG.Image(width: 2, height: 1, channels: 4, pixels: [255, 255, 255, 255, 0, 0, 0, 255])
        #expect(try DigitImage(png: rgba).ink == [0, 1])
        let greyAlpha = try PNG.Image(width: 2, height: 1, channels: 2, pixels: [0, 0, 0, 255])
        #expect(try DigitImage(png: greyAlpha).ink == [0, 1])
    }
}
