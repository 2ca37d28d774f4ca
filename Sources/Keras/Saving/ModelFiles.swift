import Foundation

// Saving and loading whole models and their weights, in the files real Keras reads and writes.

/// The Keras version whose file format this package writes (`metadata.json`, `.h5` attributes).
let kerasFormatVersion = "3.15.1"

extension Model {
    /// Saves the whole model — architecture, weights, compile arguments and optimizer state —
    /// so that `Keras.loadModel` here or `keras.saving.load_model` in Python restores it.
    ///
    /// The extension picks the format, as in Keras: `.keras` (Keras 3's zip) or `.h5` (the
    /// legacy HDF5 file of Keras 2, without optimizer state). The file is written atomically:
    /// a crash mid-save leaves any previous file intact.
    public func save(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        switch url.pathExtension.lowercased() {
        case "keras": try writeKerasArchive(to: url)
        case "h5", "hdf5": try HDF5File.write(try legacyTree(), to: url)
        default:
            throw KerasError.invalidArgument(name: "save path", value: path,
                                             expected: "a file name ending in .keras (or .h5 for the legacy format)")
        }
    }

    /// Saves only the weights: in Keras 3's `.weights.h5` layout (optimizer state included), or,
    /// for any other `.h5` name (`"basic_weights.h5"`), in the layout of Keras 2's `save_weights`,
    /// which Keras 2 and `loadWeights` read back (Keras 3 only reads it).
    public func saveWeights(_ path: String) throws {
        let tree: HDF5Group
        if path.hasSuffix(".weights.h5") {
            tree = try WeightsLayout.tree(of: self)
        } else if ["h5", "hdf5"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) {
            tree = legacyWeights()
        } else {
            throw KerasError.invalidArgument(name: "saveWeights path", value: path,
                                             expected: "a file name ending in .weights.h5 (Keras 3), or .h5 (Keras 2's layout)")
        }
        try HDF5File.write(tree, to: URL(fileURLWithPath: path))
    }

    /// Loads weights saved by `saveWeights` or Keras' `save_weights` (Keras 3 `.weights.h5`, or a
    /// Keras 2 `.h5`), or the weights of a whole saved model (`.keras`, legacy `.h5`). The model
    /// must have the same architecture and be built; nothing changes unless every shape matches.
    public func loadWeights(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        if url.pathExtension.lowercased() == "keras" {
            let archive = try KerasArchive(url)
            try WeightsLayout.load(try archive.weights(), into: self, file: path, optimizer: true)
            return
        }
        let root = try HDF5File.read(url)
        if WeightsLayout.isLegacy(root) {
            try WeightsLayout.loadLegacy(root, into: self, file: path)
        } else {
            try WeightsLayout.load(root, into: self, file: path, optimizer: true)
        }
    }

    // MARK: - Formats

    func writeKerasArchive(to url: URL) throws {
        let metadata = ConfigValue.object([
            ConfigField("keras_version", .string(kerasFormatVersion)),
            ConfigField("date_saved", .string(KerasArchive.dateFormatter.string(from: Date()))),
        ])
        var members: [(String, [UInt8])] = [
            ("metadata.json", Array(metadata.json.utf8)),
            ("config.json", Array(try serialized().json.utf8)),
            ("model.weights.h5", try HDF5File.encode(try WeightsLayout.tree(of: self))),
        ]
        for (path, layer) in WeightsLayout.layerPaths(self) {
            guard let owner = layer as? LayerAssets else { continue }
            members += try owner.savedAssets().map { ("assets/\(path)/\($0.name)", $0.bytes) }
        }
        try FileIO.writeAtomically(url) { writer in
            try ZipArchive.write(members.map { name, bytes in
                ZipArchive.StoredMember(name: name, size: bytes.count, crc: CRC32.checksum(bytes)) { try $0.write(bytes) }
            }, to: writer, name: url.path)
        }
    }

    /// The legacy (Keras 2) HDF5 tree: `model_config`, `training_config`, and `model_weights`.
    func legacyTree() throws -> HDF5Group {
        var root = HDF5Group()
        root.setAttribute("backend", .string("tensorflow"))
        root.setAttribute("keras_version", .string(kerasFormatVersion))
        let config = try serialized()
        let modelConfig = ConfigValue.object([ConfigField("class_name", .string(Self.kerasClassName)),
                                              ConfigField("config", config["config"] ?? .null)])
        root.setAttribute("model_config", .string(modelConfig.json))
        if case .object(let fields)? = config["compile_config"], !fields.isEmpty, let optimizer {
            var training = fields.filter { $0.key != "optimizer" }
            training.append(ConfigField("optimizer_config", .object([
                ConfigField("class_name", .string(optimizer.className)),
                ConfigField("config", .object(optimizer.config)),
            ])))
            root.setAttribute("training_config", .string(ConfigValue.object(training).json))
        }
        root.setGroup("model_weights", legacyWeights())
        return root
    }

    /// The weights in Keras 2's layout: a group per layer, listed in `layer_names`, its weights
    /// listed in `weight_names` (the root of a `save_weights` file, `model_weights` in a model file).
    func legacyWeights() -> HDF5Group {
        var weights = HDF5Group()
        weights.setAttribute("backend", .string("tensorflow"))
        weights.setAttribute("keras_version", .string(kerasFormatVersion))
        weights.setAttribute("layer_names", .strings(layers.map(\.name)))
        for layer in layers {
            var group = HDF5Group()
            let variables = WeightsLayout.legacyWeights(layer)
            group.setAttribute("weight_names", .strings(variables.map(\.name)))
            for weight in variables { group.setDataset(weight.name, HDF5Dataset(HDF5Array(weight.value))) }
            weights.setGroup(layer.name, group)
        }
        return weights
    }
}

extension Keras {
    /// Loads a model saved by `Model.save` or by Keras (`model.save(...)`): a Keras 3 `.keras`
    /// file, or a legacy Keras 2 `.h5` file. With `compile` (the default), the model comes back
    /// compiled as it was saved, optimizer state included, ready to continue training.
    public static func loadModel(_ path: String, compile: Bool = true) throws -> Model {
        let url = URL(fileURLWithPath: path)
        let bytes = try FileIO.read(url)
        guard !bytes.isEmpty else {
            throw KerasError.invalidData("\(path): the file is empty (0 bytes), not a saved model; was its save interrupted?")
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let archive = try KerasArchive(bytes: bytes, name: path)
            let model = try model(fromConfig: try archive.config(), compile: compile)
            try WeightsLayout.load(try archive.weights(), into: model, file: path, optimizer: compile)
            try archive.loadAssets(into: model)
            return model
        }
        let root = try HDF5File.decode(bytes, name: path)
        guard case .string(let modelConfig)? = root.attribute("model_config") else {
            throw KerasError.invalidData("\(path): not a saved model (no 'model_config' attribute); load weights files with model.loadWeights")
        }
        let model = try model(fromConfig: try ConfigValue(json: modelConfig, source: "\(path) model_config"), compile: false)
        try WeightsLayout.loadLegacy(root, into: model, file: path)
        if compile, case .string(let trainingConfig)? = root.attribute("training_config") {
            var training = try ConfigValue(json: trainingConfig, source: "\(path) training_config")
            if case .object(var fields) = training {
                if let index = fields.firstIndex(where: { $0.key == "optimizer_config" }) {
                    fields[index].key = "optimizer"
                }
                training = .object(fields)
            }
            try model.compile(fromConfig: training)
        }
        return model
    }
}

/// A `.keras` file read into memory: `config.json`, `metadata.json`, `model.weights.h5`.
struct KerasArchive {
    let bytes: [UInt8]
    let name: String
    let entries: [ZipEntry]

    static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        return formatter
    }()

    init(_ url: URL) throws {
        try self.init(bytes: try FileIO.read(url), name: url.path)
    }

    init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        entries = try bytes.withUnsafeBytes { try ZipArchive.entries($0, name: name) }
    }

    func member(_ member: String) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == member }) else {
            throw KerasError.invalidData("\(name): not a Keras model file (no '\(member)' inside)")
        }
        return try bytes.withUnsafeBytes { buffer in
            try ZipArchive.withContents(of: entry, in: buffer, name: name) { Array($0) }
        }
    }

    func config() throws -> ConfigValue {
        let data = try member("config.json")
        guard let text = String(validating: data, as: UTF8.self) else {
            throw KerasError.invalidData("\(name): config.json is not UTF-8 text")
        }
        return try ConfigValue(json: text, source: "\(name) config.json")
    }

    /// Gives each layer that keeps assets (a lookup layer's vocabulary) its files under
    /// `assets/<layer path>/`.
    func loadAssets(into model: Model) throws {
        for (path, layer) in WeightsLayout.layerPaths(model) {
            guard let owner = layer as? LayerAssets else { continue }
            let prefix = "assets/\(path)/"
            var files: [String: [UInt8]] = [:]
            for entry in entries where entry.name.hasPrefix(prefix) && !entry.name.hasSuffix("/") {
                files[String(entry.name.dropFirst(prefix.count))] = try member(entry.name)
            }
            try owner.loadAssets(files)
        }
    }

    func weights() throws -> HDF5Group {
        try HDF5File.decode(try member("model.weights.h5"), name: "\(name) model.weights.h5")
    }
}
