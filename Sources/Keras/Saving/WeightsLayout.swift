import Foundation

/// Where a model's variables live in Keras' HDF5 weights files.
///
/// Keras 3 (`.weights.h5`, and `model.weights.h5` in a `.keras` zip) mirrors the object tree:
/// each layer's own variables in `<path>/vars/<i>`, its sublayers below it. A model's layers are
/// under `layers/<name>`, where `<name>` is the snake-cased class name with a counter in model
/// order (`dense`, `dense_1`, `dropout`), not `layer.name`; a layer held in a property is under
/// the property's name (`cell`, `forward_layer`), a list of them under the name and a counter;
/// so a nested model's Dense is `layers/sequential/layers/dense/vars/0`. A shared layer is saved
/// once, where it is first met. `optimizer/vars/<i>` holds the iteration count (int64), the
/// learning rate and the slots; the model's own (empty) `vars` group is at the top.
///
/// Keras 2 (`model.save("m.h5")`, `save_weights("w.h5")`): a group per layer named after the
/// layer, listed in the `layer_names` attribute, each listing its datasets in `weight_names`;
/// under `model_weights/` in whole-model files. Layers match by order, as Keras 2 loads them.
enum WeightsLayout {
    // MARK: - Keras 3

    /// The Keras 3 weights tree of `model`, with the optimizer's state when it has one.
    static func tree(of model: Model) throws -> HDF5Group {
        var root = HDF5Group()
        for (path, layer) in layerPaths(model) {
            var variables = HDF5Group()
            variables.setAttribute("name", .string(layer.name))
            for (index, weight) in layer.ownWeights.enumerated() {
                variables.setDataset("\(index)", HDF5Dataset(HDF5Array(weight.value)))
            }
            let named = (layer as? LayerAssets)?.namedArrays() ?? []
            for (subpath, value) in named where subpath.hasPrefix("vars/") {
                variables.setDataset(String(subpath.dropFirst(5)), HDF5Dataset(HDF5Array(value)))
            }
            root.setGroup(path.isEmpty ? "vars" : "\(path)/vars", variables)
            for (subpath, value) in named where !subpath.hasPrefix("vars/") {
                root.setDataset(path.isEmpty ? subpath : "\(path)/\(subpath)", HDF5Dataset(HDF5Array(value)))
            }
        }
        if let optimizer = model.optimizer, optimizer.isBuilt {
            var variables = HDF5Group()
            variables.setAttribute("name", .string(optimizer.name))
            for (index, variable) in optimizer.variables.enumerated() {
                let array = variable === optimizer.iterationsVariable
                    ? HDF5Array.int64(Int64(optimizer.iterations)) : HDF5Array(variable.value)
                variables.setDataset("\(index)", HDF5Dataset(array))
            }
            root.setGroup("optimizer/vars", variables)
        }
        return root
    }

    /// Every layer of the tree under `model` (the model first, at `""`) with the path Keras
    /// saves it at, each once: Keras' `_walk_saveable`, the `layers` of a model first, then
    /// the other properties by name.
    static func layerPaths(_ model: Model) -> [(String, Layer)] {
        var result: [(String, Layer)] = []
        var visited = Set<ObjectIdentifier>()
        func visit(_ layer: Layer, at path: String) {
            guard visited.insert(ObjectIdentifier(layer)).inserted else { return }
            result.append((path, layer))
            let groups = layer.sublayerGroups.sorted { ($0.name == "layers" && layer is Model ? "" : $0.name) < ($1.name == "layers" && layer is Model ? "" : $1.name) }
            for group in groups {
                let base = path.isEmpty ? group.name : "\(path)/\(group.name)"
                guard group.isList else {
                    visit(group.layers[0], at: base)
                    continue
                }
                var used: [String: Int] = [:]
                for child in group.layers {
                    let name = type(of: child).kerasClassName.snakeCased
                    let count = used[name, default: 0]
                    used[name] = count + 1
                    visit(child, at: "\(base)/\(count == 0 ? name : "\(name)_\(count)")")
                }
            }
        }
        visit(model, at: "")
        return result
    }

    /// Loads a Keras 3 weights tree into a built model; with `optimizer`, also the optimizer's
    /// state when the file has it. Every count and shape is checked before anything changes.
    static func load(_ root: HDF5Group, into model: Model, file: String, optimizer includeOptimizer: Bool) throws {
        try requireBuilt(model, file: file)
        let paths = layerPaths(model)
        if case .group(let layersGroup)? = root["layers"] {
            let fileLayers = layersGroup.members.map(\.name)
            let modelLayers = paths.map(\.0).filter { $0.hasPrefix("layers/") && !$0.dropFirst(7).contains("/") }
            guard fileLayers.count == modelLayers.count else {
                throw KerasError.invalidData(
                    "\(file): the file has weights for \(fileLayers.count) layers (\(fileLayers.joined(separator: ", "))) "
                        + "but model '\(model.name)' has \(modelLayers.count) (\(modelLayers.map { $0.dropFirst(7) }.joined(separator: ", "))); load it into the model it was saved from.")
            }
        }
        var assignments: [(Variable, Tensor)] = []
        var namedArrays: [(LayerAssets, [String: Tensor])] = []
        for (path, layer) in paths {
            let variables = layer.ownWeights
            let varsPath = path.isEmpty ? "vars" : "\(path)/vars"
            guard !variables.isEmpty || root[varsPath] != nil else { continue }
            guard root[varsPath] != nil else {
                throw KerasError.invalidData("\(file): no weights for layer '\(layer.name)' (group \(varsPath)); the file was saved from a different model.")
            }
            let values = try datasets(in: root[varsPath], file: file, path: varsPath)
            try check(values, against: variables, what: "layer '\(layer.name)' (\(varsPath))", file: file)
            assignments += zip(variables, values).map { ($0, $1) }
            if let owner = layer as? LayerAssets, case .group(let group)? = root[varsPath] {
                var arrays: [String: Tensor] = [:]
                for (name, node) in group.members where Int(name) == nil {
                    if case .dataset(let dataset) = node { arrays[name] = try dataset.array.tensor() }
                }
                namedArrays.append((owner, arrays))
            }
        }
        if includeOptimizer, let optimizer = model.optimizer, case .group(let group)? = root["optimizer"] {
            let arrays = try arrays(in: group["vars"], file: file, path: "optimizer/vars")
            optimizer.build(model.trainableWeights)
            let targets = optimizer.variables
            if arrays.count == targets.count {
                let values = try arrays.map { try $0.tensor() }
                try check(values, against: targets, what: "optimizer '\(optimizer.name)'", file: file)
                try optimizer.validateState(values, file: file)
                assignments += zip(targets, values).map { ($0, $1) }
            } else if !arrays.isEmpty {
                // As Keras: another optimizer's state is skipped with a warning, not an error.
                print("WARNING: Skipping variable loading for optimizer '\(optimizer.name)', because it has "
                      + "\(targets.count) variables whereas the saved optimizer has \(arrays.count) variables.")
            }
        }
        for (variable, value) in assignments { variable.assign(value) }
        for (owner, arrays) in namedArrays { try owner.loadNamedArrays(arrays) }
    }

    // MARK: - Keras 2

    /// Whether a weights tree is in Keras 2's layout (a `layer_names` attribute, at the root or
    /// under `model_weights`).
    static func isLegacy(_ root: HDF5Group) -> Bool {
        root.attribute("layer_names") != nil || root["model_weights"] != nil
    }

    /// Loads Keras 2 weights into a built model: layers with weights match by order.
    static func loadLegacy(_ root: HDF5Group, into model: Model, file: String) throws {
        try requireBuilt(model, file: file)
        let weightsRoot: HDF5Group = if case .group(let group)? = root["model_weights"] { group } else { root }
        guard case .strings(let layerNames)? = weightsRoot.attribute("layer_names") else {
            throw KerasError.invalidData("\(file): a Keras 2 weights file needs the 'layer_names' attribute")
        }
        var stored: [(String, [Tensor])] = []
        for name in layerNames {
            let group = try weightsRoot.group(name)
            let weightNames: [String] = switch group.attribute("weight_names") {
            case .strings(let names)?: names
            default: []
            }
            guard !weightNames.isEmpty else { continue }
            stored.append((name, try weightNames.map { try group.dataset($0).array.tensor() }))
        }
        let targets = model.layers.filter { !$0.weights.isEmpty }
        guard stored.count == targets.count else {
            throw KerasError.invalidData(
                "\(file): the file has weights for \(stored.count) layers (\(stored.map(\.0).joined(separator: ", "))) but model "
                    + "'\(model.name)' has \(targets.count) layers with weights (\(targets.map(\.name).joined(separator: ", "))).")
        }
        var assignments: [(Variable, Tensor)] = []
        for ((_, values), layer) in zip(stored, targets) {
            let variables = legacyWeights(layer)
            try check(values, against: variables, what: "layer '\(layer.name)'", file: file)
            assignments += zip(variables, values).map { ($0, $1) }
        }
        for (variable, value) in assignments { variable.assign(value) }
    }

    /// A layer's weights as Keras 2 files list them: trainable first, sublayers' included.
    static func legacyWeights(_ layer: Layer) -> [Variable] { layer.trainableWeights + layer.nonTrainableWeights }

    // MARK: - Checks

    static func requireBuilt(_ model: Model, file: String) throws {
        guard model.isBuilt else {
            throw KerasError.invalidState(
                "Cannot load \(file) into model '\(model.name)': it is not built. Give the first layer an input shape (or call build(inputShape:)) first.")
        }
    }

    /// The datasets `0`, `1`, … of a `vars` group, in index order (not those saved by name,
    /// such as a lookup layer's `idf_weights`).
    static func arrays(in node: HDF5Node?, file: String, path: String) throws -> [HDF5Array] {
        guard case .group(let group)? = node else {
            throw KerasError.invalidData("\(file): missing group '\(path)'")
        }
        return try (0..<group.members.filter { Int($0.name) != nil }.count).map { index in
            guard case .dataset(let dataset)? = group["\(index)"] else {
                throw KerasError.invalidData("\(file): group '\(path)' lacks dataset '\(index)'")
            }
            return dataset.array
        }
    }

    static func datasets(in node: HDF5Node?, file: String, path: String) throws -> [Tensor] {
        try arrays(in: node, file: file, path: path).map { try $0.tensor() }
    }

    static func check(_ values: [Tensor], against variables: [Variable], what: String, file: String) throws {
        guard values.count == variables.count else {
            throw KerasError.invalidData("\(file): \(what) has \(variables.count) variables but the file holds \(values.count)")
        }
        for (variable, value) in zip(variables, values) where variable.shape != value.shape {
            throw KerasError.shapeMismatch(context: "\(file): \(what) variable '\(variable.name)'", expected: "\(variable.shape)",
                                           got: "\(value.shape)", fix: "Load weights saved from a model with the same architecture.")
        }
    }
}
