// What every plot is: something with a size that draws itself as SVG, and can be written to a file.

import Foundation
import Keras

/// A picture: a chart, a surface, an image grid, a grid of other figures.
///
/// `figure.svg()` is a standalone SVG document; `figure.write(to: url)` writes it (`.svg`),
/// or a page showing it (`.html`), or, for figures that are rasters (`ImageGrid`), a PNG file.
public protocol Figure {
    /// The size in CSS pixels.
    var width: Double { get }
    var height: Double { get }
    /// Draws the figure with its top-left corner at the canvas' origin.
    func draw(on canvas: inout Canvas)
}

extension Figure {
    /// The standalone SVG document of the figure.
    public func svg(style: PlotStyle = .standard) -> String {
        String(decoding: svgBytes(style: style), as: UTF8.self)
    }

    func svgBytes(style: PlotStyle) -> [UInt8] {
        var canvas = Canvas(style: style)
        canvas.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"")
        canvas.attribute("width", width.rounded(.up))
        canvas.attribute("height", height.rounded(.up))
        canvas.raw(" viewBox=\"0 0 ")
        canvas.number(width.rounded(.up)); canvas.raw(" "); canvas.number(height.rounded(.up))
        canvas.raw("\" font-family=\"")
        canvas.escaped(style.fontFamily)
        canvas.raw("\"")
        canvas.attribute("font-size", style.fontSize)
        canvas.raw(" fill=\"\(style.textColor.hex)\">\n")
        canvas.rect(0, 0, width.rounded(.up), height.rounded(.up), fill: style.background)
        draw(on: &canvas)
        canvas.raw("\n</svg>\n")
        return canvas.bytes
    }

    /// Writes the figure to `url` atomically: SVG for `.svg`, a page for `.html`, PNG for
    /// `.png` where the figure is a raster (`RasterFigure`).
    public func write(to url: URL, style: PlotStyle = .standard) throws {
        let bytes: [UInt8]
        switch url.pathExtension.lowercased() {
        case "svg": bytes = svgBytes(style: style)
        case "html", "htm": bytes = Array(HTMLPage.document(title: url.deletingPathExtension().lastPathComponent,
                                                            body: svg(style: style)).utf8)
        case "png":
            guard let raster = self as? RasterFigure else {
                throw KerasError.invalidArgument(name: "url", value: url.path,
                                                 expected: "a .svg or .html file: \(type(of: self)) is vector graphics; PNG is written for image grids")
            }
            bytes = PNG.encode(raster.raster())
        default:
            throw KerasError.invalidArgument(name: "url", value: url.path, expected: "a file name ending in .svg, .html or .png")
        }
        try FileIO.writeAtomically(url) { try $0.write(bytes) }
    }
}

/// A figure that is also a picture made of pixels, so it can be written as PNG.
public protocol RasterFigure: Figure {
    /// The figure's pixels.
    func raster() -> PNG.Image
}

/// Figures side by side in rows, with an optional title above.
public struct Grid: Figure {
    public var figures: [any Figure]
    public var columns: Int
    public var title: String?
    public var spacing = 8.0

    public init(_ figures: [any Figure], columns: Int? = nil, title: String? = nil) {
        self.figures = figures
        self.columns = max(1, columns ?? figures.count)
        self.title = title
    }

    private var titleHeight: Double { title == nil ? 0 : 30 + Canvas.extraTitleHeight(title, size: PlotStyle.standard.titleSize + 1) }
    private var rows: [[any Figure]] {
        stride(from: 0, to: figures.count, by: columns).map { Array(figures[$0..<min($0 + columns, figures.count)]) }
    }

    public var width: Double {
        rows.map { row in row.reduce(0) { $0 + $1.width } + spacing * Double(row.count - 1) }.max() ?? 0
    }

    public var height: Double {
        titleHeight + rows.reduce(0) { $0 + ($1.map(\.height).max() ?? 0) } + spacing * Double(max(rows.count - 1, 0))
    }

    public func draw(on canvas: inout Canvas) {
        if let title {
            canvas.title(title, width / 2, 21, size: canvas.style.titleSize + 1)
        }
        var y = titleHeight
        for row in rows {
            var x = 0.0
            for figure in row {
                canvas.group(at: x, y) { figure.draw(on: &$0) }
                x += figure.width + spacing
            }
            y += (row.map(\.height).max() ?? 0) + spacing
        }
    }
}
