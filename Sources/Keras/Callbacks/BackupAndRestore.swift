import Foundation

/// Lets interrupted training resume where it stopped (`keras.callbacks.BackupAndRestore`).
///
/// After every epoch it saves the weights, the optimizer's state and the epoch number in
/// `backupDirectory` (one file, written atomically). When `fit` starts and a backup exists,
/// it restores them and training continues with the next epoch, so a job killed halfway and
/// started again with the same `fit` call finishes as if never interrupted. The backup is
/// deleted when training completes (unless `deleteCheckpoint` is false).
public final class BackupAndRestore: Callback {
    public let backupDirectory: String
    public let deleteCheckpoint: Bool
    /// The file holding the backup.
    public var backupPath: String { URL(fileURLWithPath: backupDirectory).appendingPathComponent("latest.weights.h5").path }

    public init(backupDirectory: String, deleteCheckpoint: Bool = true) throws {
        guard !backupDirectory.isEmpty else {
            throw KerasError.invalidArgument(name: "BackupAndRestore backupDirectory", value: "\"\"", expected: "a directory path")
        }
        self.backupDirectory = backupDirectory
        self.deleteCheckpoint = deleteCheckpoint
    }

    public override func onTrainBegin(logs: [String: Float]) throws {
        guard let model, FileManager.default.fileExists(atPath: backupPath) else { return }
        let root = try HDF5File.read(URL(fileURLWithPath: backupPath))
        guard case .array(let epochArray)? = root.attribute("epoch"), let epoch = epochArray.scalarInt else {
            throw KerasError.invalidData("\(backupPath): not a BackupAndRestore backup (no 'epoch' attribute)")
        }
        guard (0..<Int(Int32.max)).contains(epoch) else {
            throw KerasError.invalidData("\(backupPath): the backup's epoch \(epoch) is not an epoch number (0 or more, below 2^31); "
                                            + "delete the file to start afresh")
        }
        try WeightsLayout.load(root, into: model, file: backupPath, optimizer: true)
        model.resumeEpoch = epoch + 1
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        guard let model else { return }
        var root = try WeightsLayout.tree(of: model)
        root.setAttribute("epoch", .array(.int64(Int64(epoch))))
        try FileManager.default.createDirectory(atPath: backupDirectory, withIntermediateDirectories: true)
        try HDF5File.write(root, to: URL(fileURLWithPath: backupPath))
    }

    public override func onTrainEnd(logs: [String: Float]) throws {
        // Only a completed run gets here: an interrupted one leaves its backup for the restart.
        guard deleteCheckpoint, FileManager.default.fileExists(atPath: backupPath) else { return }
        try FileManager.default.removeItem(atPath: backupPath)
    }
}
