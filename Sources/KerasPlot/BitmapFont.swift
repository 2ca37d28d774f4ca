// A 5×7 pixel font for the text of raster figures (captions in PNG image grids).

/// Printable ASCII in 5×7 pixels, one column of space after each character: enough for
/// captions such as `7`, `Ankle boot` or `T-shirt/top` in a PNG. Other characters (CJK ones
/// included) are drawn as a hollow box; the SVG output draws every script with real fonts.
enum BitmapFont {
    static let glyphWidth = 5, glyphHeight = 7, advance = 6

    /// Each glyph as seven rows of five bits, the leftmost pixel in bit 4, from `" "` (32) to `"~"` (126).
    static let glyphs: [UInt64] = [
        0x00000000000000, 0x04040404040004, 0x0A0A0000000000, 0x0A0A1F0A1F0A0A, 0x040F140E051E04, 0x18190204081303,
        0x0C12140815120D, 0x04040000000000, 0x02040808080402, 0x08040202020408, 0x0004150E150400, 0x0004041F040400,
        0x000000000C0408, 0x0000001F000000, 0x00000000000C0C, 0x00010204081000, 0x0E11131519110E, 0x040C040404040E,
        0x0E11010204081F, 0x1F02040201110E, 0x02060A121F0202, 0x1F101E0101110E, 0x0608101E11110E, 0x1F010204080808,
        0x0E11110E11110E, 0x0E11110F01020C, 0x000C0C000C0C00, 0x000C0C000C0408, 0x02040810080402, 0x00001F001F0000,
        0x08040201020408, 0x0E110102040004, 0x0E11010D15150E, 0x0E1111111F1111, 0x1E11111E11111E, 0x0E11101010110E,
        0x1C12111111121C, 0x1F10101E10101F, 0x1F10101E101010, 0x0E11101711110F, 0x1111111F111111, 0x0E04040404040E,
        0x0702020202120C, 0x11121418141211, 0x1010101010101F, 0x111B1515111111, 0x11111915131111, 0x0E11111111110E,
        0x1E11111E101010, 0x0E11111115120D, 0x1E11111E141211, 0x0F10100E01011E, 0x1F040404040404, 0x1111111111110E,
        0x11111111110A04, 0x1111111515150A, 0x11110A040A1111, 0x1111110A040404, 0x1F01020408101F, 0x0E08080808080E,
        0x00100804020100, 0x0E02020202020E, 0x040A1100000000, 0x0000000000001F, 0x08040200000000, 0x00000E010F110F,
        0x1010161911111E, 0x00000E1010110E, 0x01010D1311110F, 0x00000E111F100E, 0x0609081C080808, 0x000F11110F010E,
        0x10101619111111, 0x04000C0404040E, 0x0200060202120C, 0x10101214181412, 0x0C04040404040E, 0x00001A15151111,
        0x00001619111111, 0x00000E1111110E, 0x00001E111E1010, 0x00000D130F0101, 0x00001619101010, 0x00000E100E011E,
        0x08081C08080906, 0x0000111111130D, 0x00001111110A04, 0x0000111115150A, 0x0000110A040A11, 0x000011110F010E,
        0x00001F0204081F, 0x02040408040402, 0x04040404040404, 0x08040402040408, 0x00000815020000,
    ]

    /// The seven rows of `scalar`'s glyph (a hollow box for characters the font lacks).
    static func rows(_ scalar: Unicode.Scalar) -> [UInt8] {
        let code = Int(scalar.value)
        let bits = (32...126).contains(code) ? glyphs[code - 32] : 0x1F11111111111F
        return (0..<glyphHeight).map { UInt8((bits >> UInt64(8 * (glyphHeight - 1 - $0))) & 0x1F) }
    }

    /// The width in pixels of `text` drawn at `scale`.
    static func width(_ text: String, scale: Int) -> Int {
        max(text.unicodeScalars.count * advance - 1, 0) * scale
    }

    /// Draws `text` into an RGB buffer `width` pixels wide, its top-left corner at `(x, y)`,
    /// each font pixel `scale` pixels square; pixels outside the buffer are skipped.
    static func draw(_ text: String, into pixels: inout [UInt8], width: Int, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8)) {
        let height = pixels.count / (3 * max(width, 1))
        for (index, scalar) in text.unicodeScalars.enumerated() {
            for (row, bits) in rows(scalar).enumerated() {
                for column in 0..<glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = x + (index * advance + column) * scale + dx, py = y + row * scale + dy
                            guard px >= 0, px < width, py >= 0, py < height else { continue }
                            let target = (py * width + px) * 3
                            (pixels[target], pixels[target + 1], pixels[target + 2]) = color
                        }
                    }
                }
            }
        }
    }
}
