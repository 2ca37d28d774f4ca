// Images in rows with a caption under each: digits, photos, predictions.

import Foundation
import Keras

/// A grid of images with captions; as SVG (captions as text) or as a PNG mosaic.
public struct ImageGrid: RasterFigure {
    public var images: [PNG.Image]
    public var captions: [String]
    public var columns: Int
    /// Screen pixels per image pixel.
    public var scale: Double
    public var title: String?
    /// The space between images, in image pixels in the PNG mosaic.
    public var spacing = 2

    public init(images: [PNG.Image], captions: [String] = [], columns: Int = 10, scale: Double = 2, title: String? = nil) {
        (self.images, self.captions, self.columns, self.scale, self.title) = (images, captions, max(columns, 1), scale, title)
    }

    /// Images from a tensor of shape `[n, height, width]` (grey), `[n, height, width, 1 or 3]`
    /// or `[n, side²]` (square grey images, flattened as MNIST models take them). Values in
    /// `valueRange` (by default 0...255 when any exceeds 1, else 0...1) map to black...white,
    /// or to the colour map's ends for grey images (`.binary` draws dark ink on white as the seeds do).
    public init(_ tensor: Tensor, captions: [String] = [], columns: Int = 10, scale: Double = 2,
                valueRange: ClosedRange<Float>? = nil, colormap: Colormap = .greys, title: String? = nil) throws {
        var shape = tensor.shape
        if shape.count == 2 {
            let side = Int(Double(shape[1]).squareRoot().rounded())
            guard side * side == shape[1] else {
                throw KerasError.shapeMismatch(context: "ImageGrid", expected: "[n, height, width(, channels)] or [n, side²]",
                                               got: "\(shape)", fix: "Reshape the images to [n, height, width].")
            }
            shape = [shape[0], side, side, 1]
        } else if shape.count == 3 {
            shape.append(1)
        }
        guard shape.count == 4, shape[1] > 0, shape[2] > 0, shape[3] == 1 || shape[3] == 3 else {
            throw KerasError.shapeMismatch(context: "ImageGrid", expected: "[n, height, width] or [n, height, width, 1 or 3]",
                                           got: "\(tensor.shape)", fix: "Pass grey or RGB images, one per row of the first axis.")
        }
        let scalars = tensor.scalars
        let range = valueRange ?? (scalars.contains { $0 > 1 } ? 0...255 : 0...1)
        let span = range.upperBound - range.lowerBound
        let (count, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        let size = height * width * channels
        let grey = colormap.stops == Colormap.greys.stops
        var images: [PNG.Image] = []
        for n in 0..<count {
            var pixels: [UInt8] = []
            pixels.reserveCapacity(channels == 1 && !grey ? height * width * 3 : size)
            for value in scalars[(n * size)..<((n + 1) * size)] {
                let t = span == 0 ? 0 : Double(min(max((value - range.lowerBound) / span, 0), 1))
                if channels == 1 && !grey {
                    let color = colormap.color(t)
                    pixels += [color.red, color.green, color.blue]
                } else {
                    pixels.append(UInt8((t * 255).rounded()))
                }
            }
            images.append(try PNG.Image(width: width, height: height, channels: channels == 1 && !grey ? 3 : channels, pixels: pixels))
        }
        self.init(images: images, captions: captions, columns: columns, scale: scale, title: title)
    }

    private var cellWidth: Double { Double(images.map(\.width).max() ?? 0) * scale }
    private var cellHeight: Double { Double(images.map(\.height).max() ?? 0) * scale }
    private var captionHeight: Double { captions.isEmpty ? 0 : 20 }
    private var titleHeight: Double { title == nil ? 0 : 34 + Canvas.extraTitleHeight(title) }
    private var gap: Double { 12 }
    private var rowCount: Int { (images.count + columns - 1) / columns }
    private var columnCount: Int { min(columns, images.count) }

    public var width: Double { 2 * gap + Double(columnCount) * cellWidth + Double(max(columnCount - 1, 0)) * gap }
    public var height: Double {
        titleHeight + 2 * gap + Double(rowCount) * (cellHeight + captionHeight) + Double(max(rowCount - 1, 0)) * gap
    }

    public func draw(on canvas: inout Canvas) {
        if let title { canvas.title(title, width / 2, 26, size: canvas.style.titleSize) }
        for (i, image) in images.enumerated() {
            let x = gap + Double(i % columns) * (cellWidth + gap)
            let y = titleHeight + gap + Double(i / columns) * (cellHeight + captionHeight + gap)
            let w = Double(image.width) * scale, h = Double(image.height) * scale
            canvas.image(image, x + (cellWidth - w) / 2, y + (cellHeight - h) / 2, w, h, pixelated: true)
            canvas.rect(x + (cellWidth - w) / 2, y + (cellHeight - h) / 2, w, h, fill: nil, stroke: canvas.style.gridColor, strokeWidth: 0.5)
            if i < captions.count {
                canvas.text(captions[i], x + cellWidth / 2, y + cellHeight + 15, anchor: .middle, color: canvas.style.textColor)
            }
        }
    }

    /// The images as one RGB mosaic on white: each image pixel `scale` pixels square (rounded,
    /// at least 1), `spacing` image pixels apart, each caption under its image and the title
    /// above them in a 5×7 pixel font (`BitmapFont`, ASCII; captions are cut to their cell).
    public func raster() -> PNG.Image {
        let zoom = max(1, Int(scale.rounded())), text = max(1, zoom / 2), gap = spacing * zoom
        let cellW = (images.map(\.width).max() ?? 1) * zoom, cellH = (images.map(\.height).max() ?? 1) * zoom
        let lineHeight = (BitmapFont.glyphHeight + 3) * text
        let captionHeight = captions.isEmpty ? 0 : lineHeight
        let titleLines = title.map(Canvas.lines(of:)) ?? []
        let titleHeight = titleLines.count * (lineHeight + text)
        let mosaicWidth = max(gap + columnCount * (cellW + gap), 1)
        let mosaicHeight = max(titleHeight + gap + rowCount * (cellH + captionHeight + gap), 1)
        var pixels = [UInt8](repeating: 255, count: mosaicWidth * mosaicHeight * 3)
        for (index, line) in titleLines.enumerated() {
            BitmapFont.draw(line, into: &pixels, width: mosaicWidth, x: (mosaicWidth - BitmapFont.width(line, scale: text + 1)) / 2,
                            y: gap + index * (lineHeight + text), scale: text + 1, color: (0x33, 0x33, 0x33))
        }
        for (i, image) in images.enumerated() {
            let cellLeft = gap + (i % columns) * (cellW + gap)
            let cellTop = titleHeight + gap + (i / columns) * (cellH + captionHeight + gap)
            let left = cellLeft + (cellW - image.width * zoom) / 2, top = cellTop + (cellH - image.height * zoom) / 2
            for y in 0..<(image.height * zoom) {
                for x in 0..<(image.width * zoom) {
                    let source = ((y / zoom) * image.width + x / zoom) * image.channels
                    let target = ((top + y) * mosaicWidth + left + x) * 3
                    switch image.channels {
                    case 1, 2:
                        let v = image.pixels[source]
                        (pixels[target], pixels[target + 1], pixels[target + 2]) = (v, v, v)
                    default:
                        (pixels[target], pixels[target + 1], pixels[target + 2])
                            = (image.pixels[source], image.pixels[source + 1], image.pixels[source + 2])
                    }
                }
            }
            if i < captions.count {
                let fitting = max((cellW + gap) / (BitmapFont.advance * text), 1)
                let caption = String(captions[i].unicodeScalars.prefix(fitting).map(Character.init))
                BitmapFont.draw(caption, into: &pixels, width: mosaicWidth, x: cellLeft + (cellW - BitmapFont.width(caption, scale: text)) / 2,
                                y: cellTop + cellH + 2 * text, scale: text, color: (0x33, 0x33, 0x33))
            }
        }
        return try! PNG.Image(width: mosaicWidth, height: mosaicHeight, channels: 3, pixels: pixels)
    }
}
