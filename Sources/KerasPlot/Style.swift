// Colours, colour maps and the look shared by every figure.

/// An sRGB colour.
public struct Color: Equatable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// A colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8(hex >> 16 & 0xFF), green: UInt8(hex >> 8 & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for component in [red, green, blue] {
            text.append(digits[Int(component >> 4)])
            text.append(digits[Int(component & 15)])
        }
        return text
    }

    /// The colour `t` of the way (0...1) from `self` to `other`.
    public func mixed(with other: Color, _ t: Double) -> Color {
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * min(max(t, 0), 1)).rounded()) }
        return Color(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// Relative luminance in 0...1, to choose dark or light text on a fill.
    public var luminance: Double {
        (0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)) / 255
    }

    public static let white = Color(hex: 0xFFFFFF)
    public static let black = Color(hex: 0x000000)
}

/// A map from values in 0...1 to colours, interpolated between evenly spaced stops.
public struct Colormap: Sendable {
    public var stops: [Color]

    /// A map through `stops`; a single stop is a constant colour.
    public init(stops: [Color]) {
        self.stops = stops.isEmpty ? [.black, .black] : stops.count == 1 ? stops + stops : stops
    }

    /// The colour of `t` (clamped to 0...1).
    public func color(_ t: Double) -> Color {
        let position = (t.isFinite ? min(max(t, 0), 1) : 0) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        return stops[index].mixed(with: stops[index + 1], position - Double(index))
    }

    /// Perceptually uniform blue → green → yellow (matplotlib's default).
    public static let viridis = Colormap(stops: [0x440154, 0x472C7A, 0x3B518B, 0x2C718E, 0x21908D,
                                                 0x27AD81, 0x5CC863, 0xAADC32, 0xFDE725].map(Color.init(hex:)))
    /// White → dark blue, for counts.
    public static let blues = Colormap(stops: [0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6,
                                               0x4292C6, 0x2171B5, 0x08519C, 0x08306B].map(Color.init(hex:)))
    /// Blue → white → red, for probabilities around 0.5.
    public static let diverging = Colormap(stops: [0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7,
                                                   0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B].map(Color.init(hex:)))
    /// Black → white.
    public static let greys = Colormap(stops: [.black, .white])
    /// White → black, as matplotlib's `binary` shows digits: dark ink on white paper.
    public static let binary = Colormap(stops: [.white, .black])
}

/// The look of a figure: fonts, colours, the palette series take their colours from.
public struct PlotStyle: Sendable {
    /// Latin fonts first, then CJK ones, which browsers fall back to per character (the seeds'
    /// titles are Chinese): Noto Sans CJK / Source Han Sans, WenQuanYi on Linux, PingFang and
    /// Hiragino on macOS, Microsoft YaHei on Windows.
    public var fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        + "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'WenQuanYi Zen Hei', "
        + "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK JP', 'Noto Sans CJK KR', sans-serif"
    public var fontSize = 12.0
    public var titleSize = 15.0
    public var textColor = Color(hex: 0x333333)
    public var mutedTextColor = Color(hex: 0x666666)
    public var background = Color.white
    public var plotBackground = Color(hex: 0xFCFCFD)
    public var gridColor = Color(hex: 0xE5E7EB)
    public var axisColor = Color(hex: 0x9CA3AF)
    /// Colours for successive series (Tableau 10).
    public var palette: [Color] = [0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                   0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC].map(Color.init(hex:))

    public init() {}

    /// The standard style.
    public static let standard = PlotStyle()

    /// The palette colour of series `index`, cycling.
    public func color(_ index: Int) -> Color { palette[index % palette.count] }
}
