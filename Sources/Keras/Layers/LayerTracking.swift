import Foundation
import Synchronization

/// The layers a layer holds, found from its stored properties, and the flattened weights of
/// the whole tree, cached.
///
/// Keras tracks every attribute that is a layer (or a list of layers); Swift has no attribute
/// hook, so, as mlx-swift does for its modules, the stored properties are read with `Mirror`:
/// a user's `let dense1 = Dense(units: 64)` needs no registration. Properties are visited in
/// declaration order, superclass first (the order in which Keras sees the assignments), and a
/// layer reached twice counts once. Models list their layers themselves (`sublayerGroups`).
///
/// Reflection is slow, so the flattened lists are cached per layer and rebuilt only after a
/// structural change anywhere (a layer built, a weight added, a layer added to a Sequential):
/// one global counter, read once per training step. Setting a stored layer property after
/// the layer is built is not seen until the next structural change; assign sublayers in
/// `init` or `build`, as Keras programs do.
public enum LayerTracking {
    private static let version = Atomic<Int>(0)

    /// Marks every cached flattening stale.
    static func structureChanged() { version.add(1, ordering: .relaxed) }

    static var current: Int { version.load(ordering: .relaxed) }
}

/// What a layer holds, flattened: kept until the structure changes.
struct TrackedState {
    let version: Int
    let weights: [Variable]
    let regularizers: [(Variable, Regularizer)]
    let constraints: [(Variable, Constraint)]
}

/// Sublayers held under one name: a property holding a layer, or a list of layers (`layers`
/// for a model), saved as `<name>/vars` or `<name>/<snake_class + counter>/vars`.
public struct SublayerGroup {
    /// The attribute name, snake-cased as Python spells it: `dense1`, `forward_layer`, `layers`.
    public let name: String
    public let layers: [Layer]
    /// Whether the property holds a list (saved with a path per element).
    public let isList: Bool

    public init(name: String, layers: [Layer], isList: Bool) {
        self.name = name
        self.layers = layers
        self.isList = isList
    }
}

extension Layer {
    /// The layers this layer holds directly, in order, each once.
    public var sublayers: [Layer] {
        var seen = Set<ObjectIdentifier>([ObjectIdentifier(self)])
        return sublayerGroups.flatMap(\.layers).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// This layer's sublayers and theirs, depth first (Keras' `_flatten_layers`), each once.
    public var allSublayers: [Layer] {
        var seen = Set<ObjectIdentifier>([ObjectIdentifier(self)])
        var result: [Layer] = []
        func visit(_ layer: Layer) {
            for child in layer.sublayers where seen.insert(ObjectIdentifier(child)).inserted {
                result.append(child)
                visit(child)
            }
        }
        visit(self)
        return result
    }

    /// The sublayers found in the stored properties, by property.
    func reflectedSublayerGroups() -> [SublayerGroup] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        var groups: [SublayerGroup] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label else { continue }
                let name = label.replacingOccurrences(of: "$__lazy_storage_$_", with: "").snakeCased
                if let layer = child.value as? Layer {
                    groups.append(SublayerGroup(name: name, layers: [layer], isList: false))
                } else if let list = child.value as? [Layer], !list.isEmpty {
                    groups.append(SublayerGroup(name: name, layers: list, isList: true))
                }
            }
        }
        return groups
    }

    /// The flattened weights, regularizers and constraints, from the cache when the structure
    /// has not changed since they were gathered.
    var tracked: TrackedState {
        let version = LayerTracking.current
        if let cache = trackingCache, cache.version == version { return cache }
        var weights: [Variable] = [], regularizers: [(Variable, Regularizer)] = [], constraints: [(Variable, Constraint)] = []
        var seen = Set<ObjectIdentifier>()
        for layer in [self] + allSublayers {
            for variable in layer.ownWeights where seen.insert(ObjectIdentifier(variable)).inserted { weights.append(variable) }
            regularizers += layer.ownRegularizers
            constraints += layer.ownConstraints
        }
        let state = TrackedState(version: version, weights: weights, regularizers: regularizers, constraints: constraints)
        trackingCache = state
        return state
    }
}
