// Downloads into Keras' dataset cache, as `keras.utils.get_file` does: a progress bar, the
// SHA-256 Keras records, and an atomic write (nothing is left in the cache when anything fails).

import Foundation
#if canImport(FoundationNetworking)
// URLSession on Linux. It links libcurl, which the Swift toolchain itself needs (swift-build
// and swift-package link it), so it adds nothing to install.
import FoundationNetworking
#endif

/// A file that Keras downloads: its name in the cache, where it comes from, and the hash Keras
/// records (SHA-256, or MD5 for a few files; nil where Keras records none).
struct RemoteFile: Sendable {
    var name: String
    var origin: URL
    var hash: String?
}

/// Fetches files over HTTP(S) into a folder, as `keras.utils.get_file` does.
///
/// Prints `Downloading data from <origin>` and Keras' progress bar (bytes) on standard output,
/// streams the body into a temporary file next to the destination while computing its hash,
/// and renames it into place only when the download is complete and the hash matches.
struct Downloader: Sendable {
    /// The URL fetched for an origin: the origin itself, or a local mirror (tests serve files
    /// from a local HTTP server this way).
    var resolve: @Sendable (URL) -> URL = { $0 }
    /// Where the message and the progress bar go.
    var output: @Sendable (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    /// Whether the progress bar is redrawn in place (on a terminal) or printed once when done.
    var isTerminal = isatty(STDOUT_FILENO) != 0
    /// Seconds without data before the download fails.
    var timeout: TimeInterval = 60

    /// Downloads from Keras' origins, with the progress bar on standard output.
    static let standard = Downloader()

    /// Downloads `file` into `folder` (created when missing) and returns its path.
    ///
    /// Throws `KerasError.invalidData` when the server cannot be reached or answers with an
    /// error, or when the hash differs from Keras' record; the cache is then left unchanged.
    func download(_ file: RemoteFile, into folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = folder.appendingPathComponent(file.name)
        output("Downloading data from \(file.origin.absoluteString)\n")
        try FileIO.writeAtomically(destination) { writer in
            let receiver = Receiver(writer: writer, hash: FileHash(expected: file.hash ?? ""), output: output,
                                    isTerminal: isTerminal)
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            let queue = OperationQueue()
            queue.maxConcurrentOperationCount = 1
            let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: queue)
            defer { session.invalidateAndCancel() }
            session.dataTask(with: resolve(file.origin)).resume()
            receiver.finished.wait()
            if let problem = receiver.problem {
                throw KerasError.invalidData("URL fetch failure on \(file.origin.absoluteString): \(problem)")
            }
            if file.hash != nil {
                let hash = receiver.fileHash
                guard hash.hexDigest == hash.expected else {
                    throw KerasError.invalidData(
                        "\(file.origin.absoluteString): the downloaded file is incomplete or corrupted: its \(hash.algorithm) is "
                            + "\(hash.hexDigest), Keras expects \(hash.expected). Nothing was saved; try again.")
                }
            }
        }
        return destination
    }

    /// Receives the response on the session's queue: writes, hashes and shows progress.
    private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        let writer: FileWriter
        let output: (String) -> Void
        let isTerminal: Bool
        var fileHash: FileHash
        var received = 0
        var bar: ProgressBar?
        var problem: String?
        let finished = DispatchSemaphore(value: 0)

        init(writer: FileWriter, hash: FileHash, output: @escaping (String) -> Void, isTerminal: Bool) {
            self.writer = writer
            self.fileHash = hash
            self.output = output
            self.isTerminal = isTerminal
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                problem = "\(http.statusCode) -- \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))"
                completionHandler(.cancel)
                return
            }
            let length = response.expectedContentLength
            bar = ProgressBar(target: length >= 0 ? Int(length) : nil, verbose: 1, isTerminal: isTerminal, output: output)
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard problem == nil else { return }
            do {
                try data.withUnsafeBytes { bytes in
                    try writer.write(bytes)
                    fileHash.update(bytes)
                }
                received += data.count
                bar?.update(received, values: [], finalize: false)
            } catch {
                problem = "\(error)"
                dataTask.cancel()
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            if problem == nil, let error {
                problem = (error as NSError).localizedDescription
            }
            if problem == nil { bar?.update(received, values: [], finalize: true) }
            finished.signal()
        }
    }
}
