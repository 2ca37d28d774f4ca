// Contour lines by marching squares.

/// Level lines of values on a grid.
enum Contour {
    typealias Point = (Double, Double)

    /// The segments where the grid's values cross `level`, in grid coordinates (column, row):
    /// each cell whose corners lie on both sides contributes one segment, or two at a saddle.
    static func segments(_ values: [Double], columns: Int, rows: Int, level: Double) -> [(Point, Point)] {
        var result: [(Point, Point)] = []
        for r in 0..<(rows - 1) {
            for c in 0..<(columns - 1) {
                let v00 = values[r * columns + c], v10 = values[r * columns + c + 1]
                let v01 = values[(r + 1) * columns + c], v11 = values[(r + 1) * columns + c + 1]
                // Edges in order bottom, right, top, left, as (corner value, corner position) pairs.
                let edges: [(Double, Point, Double, Point)] = [
                    (v00, (0, 0), v10, (1, 0)), (v10, (1, 0), v11, (1, 1)),
                    (v01, (0, 1), v11, (1, 1)), (v00, (0, 0), v01, (0, 1)),
                ]
                var crossings: [Point?] = []
                for (a, pa, b, pb) in edges {
                    if (a >= level) != (b >= level) {
                        let t = (level - a) / (b - a)
                        crossings.append((Double(c) + pa.0 + (pb.0 - pa.0) * t, Double(r) + pa.1 + (pb.1 - pa.1) * t))
                    } else {
                        crossings.append(nil)
                    }
                }
                let found = crossings.compactMap { $0 }
                if found.count == 2 {
                    result.append((found[0], found[1]))
                } else if found.count == 4 {
                    let centre = (v00 + v10 + v01 + v11) / 4
                    if (centre >= level) == (v00 >= level) {
                        result.append((crossings[0]!, crossings[1]!))
                        result.append((crossings[2]!, crossings[3]!))
                    } else {
                        result.append((crossings[0]!, crossings[3]!))
                        result.append((crossings[1]!, crossings[2]!))
                    }
                }
            }
        }
        return result
    }
}

extension Contour {
    /// The level lines as polylines: the segments chained end to end, so that dashes run on.
    static func lines(_ values: [Double], columns: Int, rows: Int, level: Double) -> [[Point]] {
        let segments = self.segments(values, columns: columns, rows: rows, level: level)
        // Neighbouring cells compute a shared crossing identically: exact keys match.
        struct Key: Hashable { let x: Double, y: Double }
        var ends: [Key: [Int]] = [:]
        for (i, segment) in segments.enumerated() {
            ends[Key(x: segment.0.0, y: segment.0.1), default: []].append(i)
            ends[Key(x: segment.1.0, y: segment.1.1), default: []].append(i)
        }
        var used = [Bool](repeating: false, count: segments.count)
        var lines: [[Point]] = []
        func extend(_ line: inout [Point]) {
            while let last = line.last,
                  let next = ends[Key(x: last.0, y: last.1)]?.first(where: { !used[$0] }) {
                used[next] = true
                let (a, b) = segments[next]
                line.append(a == last ? b : a)
            }
        }
        for start in segments.indices where !used[start] {
            used[start] = true
            var forward = [segments[start].0, segments[start].1]
            extend(&forward)
            var backward = [segments[start].0]
            extend(&backward)
            lines.append(backward.reversed() + forward.dropFirst())
        }
        return lines
    }
}
