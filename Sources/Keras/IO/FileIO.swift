// Reading whole files, and writing files atomically: a temporary file in the same folder,
// renamed over the destination only once it is complete.

import Foundation

package enum FileIO {
    /// The bytes of the file at `url`; a missing or unreadable file throws naming the path and the reason.
    package static func read(_ url: URL) throws -> [UInt8] {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(path, errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(path, errno) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw KerasError.invalidArgument(name: "url", value: path, expected: "a file, not a folder")
        }
        // One byte more than the size: reaching the end of the file then needs no growth.
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: max(bytes.count, 1 << 16)) }
            let (n, code) = bytes.withUnsafeMutableBytes { buffer in
                let n = Foundation.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                return (n, n < 0 ? errno : 0)
            }
            if n < 0 {
                if code == EINTR { continue }
                throw unreadable(path, code)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    private static func unreadable(_ path: String, _ code: Int32) -> KerasError {
        KerasError.invalidArgument(name: "url", value: path, expected: "a readable file (\(String(cString: strerror(code))))")
    }

    private static func unwritable(_ path: String, _ code: Int32) -> KerasError {
        KerasError.invalidArgument(name: "url", value: path, expected: "a writable location (\(String(cString: strerror(code))))")
    }

    /// Writes the file at `url` through `body`: into a temporary file in the same folder, which
    /// replaces `url` (by `rename`) only when `body` returns; on any error the temporary file is removed.
    package static func writeAtomically(_ url: URL, _ body: (FileWriter) throws -> Void) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw unwritable(path, errno) }
        let writer = FileWriter(fd: fd, path: path)
        do {
            try body(writer)
            try writer.flush()
            guard fsync(fd) == 0 else { throw unwritable(path, errno) }
            guard close(fd) == 0 else {
                writer.closed = true
                throw unwritable(path, errno)
            }
            writer.closed = true
            guard rename(temporary, path) == 0 else { throw unwritable(path, errno) }
        } catch {
            if !writer.closed { close(fd) }
            unlink(temporary)
            throw error
        }
    }
}

/// A buffered writer to an open file descriptor.
package final class FileWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private let bufferSize = 1 << 20
    var closed = false
    /// Bytes written so far, buffered or not.
    package private(set) var offset = 0

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(bufferSize)
    }

    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        offset += bytes.count
        if buffer.count + bytes.count <= bufferSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= bufferSize {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw KerasError.invalidArgument(name: "url", value: path,
                                                 expected: "a writable location (\(String(cString: strerror(errno))))")
            }
            done += n
        }
    }
}
