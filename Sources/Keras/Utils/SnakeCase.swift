extension String {
    /// Keras' `to_snake_case`, which names layers, optimizers and saved groups:
    /// `"Dense"` → `"dense"`, `"BatchNormalization"` → `"batch_normalization"`, `"Conv2D"` →
    /// `"conv2d"`, `"RMSprop"` → `"rm_sprop"`, `"AdamW"` → `"adam_w"`.
    var snakeCased: String {
        let characters = Array(self.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        func isUpper(_ c: Character) -> Bool { c.isASCII && c.isUppercase }
        func isLower(_ c: Character) -> Bool { c.isASCII && c.isLowercase }
        // re.sub("(.)([A-Z][a-z]+)", r"\1_\2"): an underscore before each capital followed by
        // lowercase letters, unless at the start. Matches do not overlap: each consumes the
        // character before the capital and the whole lowercase run after it.
        var first: [Character] = []
        var i = 0
        while i < characters.count {
            let j = i + 1
            if j + 1 < characters.count, isUpper(characters[j]), isLower(characters[j + 1]) {
                var end = j + 1
                while end < characters.count, isLower(characters[end]) { end += 1 }
                first.append(characters[i])
                first.append("_")
                first.append(contentsOf: characters[j..<end])
                i = end
                continue
            }
            first.append(characters[i])
            i += 1
        }
        // re.sub("([a-z])([A-Z])", r"\1_\2"), then lowercased.
        var result = ""
        for (index, c) in first.enumerated() {
            result.append(c)
            if index + 1 < first.count, isLower(c), isUpper(first[index + 1]) { result.append("_") }
        }
        return result.lowercased()
    }
}
