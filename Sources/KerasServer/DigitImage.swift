// A drawing turned into the 28×28 picture MNIST would have made of it.

import Keras

/// A greyscale picture of ink: `width × height` values, 0 (paper) … 1 (full ink), row by row.
///
/// `mnistStyle()` normalises a drawing the way the MNIST digits were made (LeCun et al.): the ink's
/// bounding box is scaled, keeping its aspect ratio, to fit a 20×20 box with anti-aliasing (area
/// averaging), and placed in a 28×28 field so that its centre of mass is at the field's centre.
/// A plain resize of the whole canvas gives the model digits of the wrong size, in the wrong place.
public struct DigitImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Ink per pixel, 0…1, row by row.
    public let ink: [Float]

    /// The side of the box MNIST scales each digit into, and of the field it centres it in.
    public static let digitBox = 20, fieldSize = 28

    /// A picture from ink values 0…1 (`width × height` of them, row by row). Throws when the count
    /// does not match or a value is not finite or outside 0…1.
    public init(width: Int, height: Int, ink: [Float]) throws {
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, ink.count == count else {
            throw KerasError.invalidData("expected width × height = \(width) × \(height) pixel values, got \(ink.count)")
        }
        if let bad = ink.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw KerasError.invalidData("pixel \(bad) is \(ink[bad]); pixel values must be finite numbers in 0…1 (or 0…255)")
        }
        (self.width, self.height, self.ink) = (width, height, ink)
    }

    /// A picture from a decoded PNG, dark ink on light paper or opaque ink on a transparent canvas:
    /// ink is `1 - luminance` weighted by alpha (transparent pixels are paper).
    public init(png image: PNG.Image) throws {
        let channels = image.channels
        let hasAlpha = channels == 2 || channels == 4
        var ink = [Float](repeating: 0, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { pixels in
            for index in ink.indices {
                let base = index * channels
                let luminance: Float = channels >= 3
                    ? (0.299 * Float(pixels[base]) + 0.587 * Float(pixels[base + 1]) + 0.114 * Float(pixels[base + 2])) / 255
                    : Float(pixels[base]) / 255
                let alpha: Float = hasAlpha ? Float(pixels[base + channels - 1]) / 255 : 1
                ink[index] = min(max((1 - luminance) * alpha, 0), 1)
            }
        }
        try self.init(width: image.width, height: image.height, ink: ink)
    }

    /// The smallest rectangle holding all ink above `threshold`, or nil for a blank picture.
    public func inkBounds(threshold: Float = 0.05) -> (x: Range<Int>, y: Range<Int>)? {
        var (minX, maxX, minY, maxY) = (width, -1, height, -1)
        for y in 0..<height {
            for x in 0..<width where ink[y * width + x] > threshold {
                (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
            }
        }
        return maxX < 0 ? nil : (minX..<(maxX + 1), minY..<(maxY + 1))
    }

    /// The MNIST-style 28×28 picture of this drawing; nil when there is no ink.
    public func mnistStyle() -> DigitImage? {
        guard let bounds = inkBounds() else { return nil }
        let cropped = crop(bounds)
        let scale = Float(Self.digitBox) / Float(max(cropped.width, cropped.height))
        let scaled = cropped.resampled(width: max(1, Int((Float(cropped.width) * scale).rounded())),
                                       height: max(1, Int((Float(cropped.height) * scale).rounded())))
        return scaled.centredByMass(in: Self.fieldSize)
    }

    /// The part of the picture inside `bounds`.
    func crop(_ bounds: (x: Range<Int>, y: Range<Int>)) -> DigitImage {
        var values: [Float] = []
        values.reserveCapacity(bounds.x.count * bounds.y.count)
        for y in bounds.y { values += ink[(y * width + bounds.x.lowerBound)..<(y * width + bounds.x.upperBound)] }
        return DigitImage(checkedWidth: bounds.x.count, height: bounds.y.count, ink: values)
    }

    /// The picture resized to `width × height` by area averaging: each new pixel is the mean of
    /// the old pixels under it, each weighted by how much of it is covered (anti-aliased, no ringing).
    func resampled(width newWidth: Int, height newHeight: Int) -> DigitImage {
        let columns = Self.areaWeights(from: width, to: newWidth)
        let rows = Self.areaWeights(from: height, to: newHeight)
        var horizontal = [Float](repeating: 0, count: newWidth * height)
        for y in 0..<height {
            for (x, weights) in columns.enumerated() {
                horizontal[y * newWidth + x] = weights.reduce(0) { $0 + $1.weight * ink[y * width + $1.index] }
            }
        }
        var result = [Float](repeating: 0, count: newWidth * newHeight)
        for (y, weights) in rows.enumerated() {
            for x in 0..<newWidth {
                result[y * newWidth + x] = weights.reduce(0) { $0 + $1.weight * horizontal[$1.index * newWidth + x] }
            }
        }
        return DigitImage(checkedWidth: newWidth, height: newHeight, ink: result.map { min(max($0, 0), 1) })
    }

    /// For each of `newCount` cells along an axis of `count` pixels: the old pixels it covers and
    /// their share of it (the shares of a cell add up to 1).
    static func areaWeights(from count: Int, to newCount: Int) -> [[(index: Int, weight: Float)]] {
        let step = Double(count) / Double(newCount)
        return (0..<newCount).map { cell in
            let start = Double(cell) * step, end = Double(cell + 1) * step
            var weights: [(index: Int, weight: Float)] = []
            var pixel = Int(start.rounded(.down))
            while Double(pixel) < end && pixel < count {
                let covered = min(end, Double(pixel + 1)) - max(start, Double(pixel))
                if covered > 0 { weights.append((pixel, Float(covered / step))) }
                pixel += 1
            }
            return weights
        }
    }

    /// The picture placed in a `size × size` field so that its centre of mass falls as close to the
    /// field's centre as whole-pixel shifts allow, without leaving the field.
    func centredByMass(in size: Int) -> DigitImage {
        var (mass, momentX, momentY): (Float, Float, Float) = (0, 0, 0)
        for y in 0..<height {
            for x in 0..<width {
                let value = ink[y * width + x]
                (mass, momentX, momentY) = (mass + value, momentX + value * (Float(x) + 0.5), momentY + value * (Float(y) + 0.5))
            }
        }
        let centre = Float(size) / 2
        func offset(_ moment: Float, _ extent: Int) -> Int {
            let wanted = mass > 0 ? Int((centre - moment / mass).rounded()) : (size - extent) / 2
            return min(max(wanted, 0), max(size - extent, 0))
        }
        let (left, top) = (offset(momentX, width), offset(momentY, height))
        var field = [Float](repeating: 0, count: size * size)
        for y in 0..<min(height, size - top) {
            for x in 0..<min(width, size - left) { field[(top + y) * size + left + x] = ink[y * width + x] }
        }
        return DigitImage(checkedWidth: size, height: size, ink: field)
    }

    /// A picture whose values are known to be valid.
    private init(checkedWidth width: Int, height: Int, ink: [Float]) {
        (self.width, self.height, self.ink) = (width, height, ink)
    }
}
