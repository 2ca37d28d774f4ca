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
    ///
    /// A symbolic link is written through (its target is replaced, the link stays); an existing
    /// file keeps its permissions; temporary files left by killed writers of the same file are removed.
    package static func writeAtomically(_ url: URL, _ body: (FileWriter) throws -> Void) throws {
        let path = resolvingLinks(url.path)
        let target = URL(fileURLWithPath: path)
        let folder = target.deletingLastPathComponent().path
        let prefix = "." + target.lastPathComponent + ".tmp-"
        removeLeftovers(in: folder, prefix: prefix)
        let temporary = folder + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw unwritable(path, errno) }
        let writer = FileWriter(fd: fd, path: path)
        do {
            var existing = stat()
            if stat(path, &existing) == 0, (existing.st_mode & S_IFMT) == S_IFREG {
                guard fchmod(fd, existing.st_mode & 0o7777) == 0 else { throw unwritable(path, errno) }
            }
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

    /// `path` with its symbolic links followed (relative targets resolved against the link's folder),
    /// so that saving over a link replaces the file it points to. Gives up after 40 links, as the kernel does.
    static func resolvingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return current }
            let destination = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(destination).path
        }
        return current
    }

    /// Removes `prefix<pid>-<random>` files of `folder` whose writing process no longer runs
    /// (a save killed mid-write); files of running processes are left alone.
    static func removeLeftovers(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "-")
            guard parts.count == 2, let pid = pid_t(parts[0]), UInt32(parts[1]) != nil else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(folder + "/" + name)
            }
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
