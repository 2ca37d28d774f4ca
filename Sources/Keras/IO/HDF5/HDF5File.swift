// Reading and writing whole HDF5 files, in Swift (no libhdf5): the subset that h5py and Keras
// use for weight files (`.weights.h5`, the `model.weights.h5` of a `.keras` zip, legacy `.h5`).

import Foundation

/// HDF5 files as trees of groups, datasets and attributes.
///
/// The reader takes what h5py 3 and Keras write: superblocks 0–3, object headers 1 and 2,
/// old-style and new-style groups (compact and dense links, creation order), contiguous, compact
/// and chunked datasets (deflate, shuffle, Fletcher-32; B-tree, single-chunk, implicit and
/// fixed-array indexes), fill values, numbers of any size and byte order, bools, fixed-length and
/// variable-length strings. A truncated, corrupt or hostile file throws `KerasError.invalidData`
/// naming the file and the problem. The writer makes the simplest file h5py reads (superblock 0,
/// old-style groups, contiguous datasets); members are stored, and so read back, by name.
public enum HDF5File {
    /// Reads the file at `url`; returns its root group.
    public static func read(_ url: URL) throws -> HDF5Group {
        try decode(FileIO.read(url), name: url.path)
    }

    /// Decodes the bytes of an HDF5 file; `name` names it in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> HDF5Group {
        try HDF5Reader(bytes: bytes, name: name).readRoot()
    }

    /// The bytes of an HDF5 file holding `root`.
    public static func encode(_ root: HDF5Group) throws -> [UInt8] {
        try HDF5Writer.encode(root)
    }

    /// Writes `root` to `url` atomically (a complete file or none).
    public static func write(_ root: HDF5Group, to url: URL) throws {
        let bytes = try encode(root)
        try FileIO.writeAtomically(url) { try $0.write(bytes) }
    }
}
