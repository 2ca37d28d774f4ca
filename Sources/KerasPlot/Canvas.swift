// The SVG being written: primitives that append straight to a byte buffer, with coordinates
// rounded to a tenth of a pixel, so that 10 000 points take a few milliseconds and ~130 KB.

import Foundation
import Keras

/// The SVG document a `Figure` draws on. Coordinates are CSS pixels, y pointing down. Its
/// drawing primitives are internal for now: figures are built from the kinds KerasPlot provides.
public struct Canvas {
    /// The document so far, UTF-8.
    var bytes: [UInt8] = []
    /// The style of the figure being drawn.
    let style: PlotStyle
    private var nextID = 0

    init(style: PlotStyle) {
        self.style = style
        bytes.reserveCapacity(1 << 14)
    }

    /// A document-unique id for clip paths and gradients.
    mutating func uniqueID(_ prefix: String) -> String {
        nextID += 1
        return "\(prefix)\(nextID)"
    }

    // MARK: Text and numbers

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `value` with at most one decimal: `12`, `-3.5`; non-finite values write `0`.
    mutating func number(_ value: Double) {
        guard value.isFinite else { bytes.append(UInt8(ascii: "0")); return }
        var tenths = Int((value * 10).rounded())
        if tenths < 0 {
            bytes.append(UInt8(ascii: "-"))
            tenths = -tenths
        }
        appendDigits(tenths / 10)
        let fraction = tenths % 10
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") + UInt8(fraction))
        }
    }

    private mutating func appendDigits(_ value: Int) {
        if value >= 10 { appendDigits(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// `text` with the XML special characters escaped.
    mutating func escaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case UInt8(ascii: "\""): raw("&quot;")
            default: bytes.append(byte)
            }
        }
    }

    /// ` name="value"` with a numeric value.
    mutating func attribute(_ name: String, _ value: Double) {
        raw(" \(name)=\"")
        number(value)
        raw("\"")
    }

    // MARK: Shapes

    mutating func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: Color?,
                       stroke: Color? = nil, strokeWidth: Double = 1, radius: Double = 0, opacity: Double = 1) {
        raw("<rect")
        attribute("x", x); attribute("y", y); attribute("width", width); attribute("height", height)
        if radius > 0 { attribute("rx", radius) }
        raw(" fill=\"\(fill?.hex ?? "none")\"")
        if opacity < 1 { raw(" fill-opacity=\"\(opacity)\"") }
        if let stroke {
            raw(" stroke=\"\(stroke.hex)\"")
            attribute("stroke-width", strokeWidth)
        }
        raw("/>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: Color, width: Double = 1,
                       dash: String? = nil) {
        raw("<path d=\"M")
        number(x1); raw(" "); number(y1); raw("L"); number(x2); raw(" "); number(y2)
        raw("\" stroke=\"\(stroke.hex)\"")
        attribute("stroke-width", width)
        if let dash { raw(" stroke-dasharray=\"\(dash)\"") }
        raw("/>")
    }

    /// A polyline through `points`; non-finite points break it into pieces.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: Color, width: Double, dash: String? = nil) {
        raw("<path fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\" stroke=\"\(stroke.hex)\"")
        attribute("stroke-width", width)
        if let dash { raw(" stroke-dasharray=\"\(dash)\"") }
        raw(" d=\"")
        var pen = false
        for point in points {
            guard point.x.isFinite && point.y.isFinite else { pen = false; continue }
            raw(pen ? " " : "M")
            number(point.x); raw(" "); number(point.y)
            if !pen { raw("L") }
            pen = true
        }
        // A trailing "L" after a lone point is harmless to renderers but not valid path data.
        if bytes.last == UInt8(ascii: "L") { bytes.removeLast() }
        raw("\"/>")
    }

    /// Round dots of `diameter` at `points`, as one path of zero-length round-capped strokes:
    /// about 13 bytes a point. `outline` draws a ring of that colour under each dot first.
    mutating func dots(_ points: [(x: Double, y: Double)], fill: Color, diameter: Double, outline: Color? = nil,
                       opacity: Double = 1) {
        for (colour, size) in [(outline, diameter + 2), (fill, diameter)] {
            guard let colour else { continue }
            raw("<path fill=\"none\" stroke-linecap=\"round\" stroke=\"\(colour.hex)\"")
            attribute("stroke-width", size)
            if opacity < 1 { raw(" stroke-opacity=\"\(opacity)\"") }
            raw(" d=\"")
            for point in points where point.x.isFinite && point.y.isFinite {
                raw("M"); number(point.x); raw(" "); number(point.y); raw("h0")
            }
            raw("\"/>")
        }
    }

    /// A closed polygon; a `nil` stroke width inherits the enclosing group's stroke settings.
    mutating func polygon(_ points: [(x: Double, y: Double)], fill: Color, stroke: Color? = nil, strokeWidth: Double? = 1) {
        raw("<path d=\"")
        for (i, point) in points.enumerated() {
            raw(i == 0 ? "M" : "L")
            number(point.x); raw(" "); number(point.y)
        }
        raw("Z\" fill=\"\(fill.hex)\"")
        if let stroke { raw(" stroke=\"\(stroke.hex)\"") }
        if stroke != nil, let strokeWidth {
            raw(" stroke-linejoin=\"round\"")
            attribute("stroke-width", strokeWidth)
        }
        raw("/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ string: String, _ x: Double, _ y: Double, size: Double? = nil, anchor: Anchor = .start,
                       color: Color? = nil, bold: Bool = false, rotate: Double = 0, baseline: String? = nil) {
        raw("<text")
        attribute("x", x); attribute("y", y)
        if anchor != .start { raw(" text-anchor=\"\(anchor.rawValue)\"") }
        if let size { attribute("font-size", size) }
        if let color { raw(" fill=\"\(color.hex)\"") }
        if bold { raw(" font-weight=\"600\"") }
        if let baseline { raw(" dominant-baseline=\"\(baseline)\"") }
        if rotate != 0 {
            raw(" transform=\"rotate(")
            number(rotate); raw(" "); number(x); raw(" "); number(y); raw(")\"")
        }
        raw(">")
        escaped(string)
        raw("</text>")
    }

    /// A raster image, embedded as a PNG data URL and stretched over the rectangle; `pixelated`
    /// keeps the pixels square (digits), otherwise the browser interpolates (heat maps).
    mutating func image(_ image: PNG.Image, _ x: Double, _ y: Double, _ width: Double, _ height: Double, pixelated: Bool) {
        raw("<image preserveAspectRatio=\"none\"")
        attribute("x", x); attribute("y", y); attribute("width", width); attribute("height", height)
        if pixelated { raw(" style=\"image-rendering:pixelated\"") }
        raw(" xlink:href=\"data:image/png;base64,")
        raw(Data(PNG.encode(image)).base64EncodedString())
        raw("\"/>")
    }

    /// Draws `body` translated by `(x, y)`.
    mutating func group(at x: Double, _ y: Double, _ body: (inout Canvas) -> Void) {
        raw("<g transform=\"translate(")
        number(x); raw(" "); number(y)
        raw(")\">")
        body(&self)
        raw("</g>")
    }

    /// Draws `body` clipped to a rectangle.
    mutating func clipped(to x: Double, _ y: Double, _ width: Double, _ height: Double, _ body: (inout Canvas) -> Void) {
        let id = uniqueID("clip")
        raw("<clipPath id=\"\(id)\"><rect")
        attribute("x", x); attribute("y", y); attribute("width", width); attribute("height", height)
        raw("/></clipPath><g clip-path=\"url(#\(id))\">")
        body(&self)
        raw("</g>")
    }

    /// The approximate width of `text` at `size` in the style's sans-serif font: CJK
    /// characters take a full em, others a little over half of one.
    func textWidth(_ text: String, size: Double) -> Double {
        Canvas.textWidth(text, size: size)
    }

    static func textWidth(_ text: String, size: Double) -> Double {
        text.unicodeScalars.reduce(0) { $0 + ($1.properties.isIdeographic || (0x3000...0x30FF).contains($1.value)
                                                || (0xAC00...0xD7AF).contains($1.value) || (0xFF00...0xFFEF).contains($1.value) ? 1 : 0.56) } * size
    }

    /// A title, one line per `\n` (the seeds write two-line titles), each centred on `x`; the
    /// first line's baseline at `y`.
    mutating func title(_ title: String, _ x: Double, _ y: Double, size: Double) {
        for (index, line) in Canvas.lines(of: title).enumerated() {
            text(line, x, y + Double(index) * Canvas.titleLineHeight(size), size: size, anchor: .middle, bold: true)
        }
    }

    static func lines(of title: String) -> [String] {
        title.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func titleLineHeight(_ size: Double) -> Double { (size * 1.3).rounded() }

    /// The height that the lines of `title` after its first take.
    static func extraTitleHeight(_ title: String?, size: Double = PlotStyle.standard.titleSize) -> Double {
        guard let title else { return 0 }
        return Double(lines(of: title).count - 1) * titleLineHeight(size)
    }
}
