#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers for files that must never be readable by anyone but the owner.
///
/// Foundation's `FileManager` applies permissions after creating a file or directory, which leaves
/// a window in which the path exists with the umask's wider mode. These helpers pass the mode to
/// `open(2)` / `mkdir(2)` so that the path is born with it.
enum SecureFiles {
    /// A failed system call, with the path and `errno` (never file contents).
    struct SystemError: Error, Sendable, CustomStringConvertible {
        /// What was being done, e.g. `create directory`.
        var operation: String
        /// The path involved.
        var path: String
        /// `errno` after the failed call.
        var code: Int32

        var description: String {
            "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// Creates `path` and any missing parents with `mode` (default 0700). Existing directories
    /// are left as they are.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SystemError) {
        var components: [String] = []
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(part) : "/" + String(part)
            components.append(prefix)
        }
        for directory in components {
            if isDirectory(directory) { continue }
            if mkdir(directory, mode) != 0 {
                let code = errno
                if code == EEXIST, isDirectory(directory) { continue }
                throw SystemError(operation: "create directory", path: directory, code: code)
            }
        }
    }

    /// Whether `path` names a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Reads a small regular file, refusing it when group or others have any permission on it.
    ///
    /// - Returns: nil when the file does not exist.
    /// - Throws: ``MasterKeyError/keyFileTooOpen(path:mode:)`` when the mode has any of 0o077,
    ///   ``MasterKeyError/keyFileMalformed(path:reason:)`` for a non-regular or oversized file, and
    ///   ``MasterKeyError/io(_:)`` for a failed system call.
    static func readPrivateFile(_ path: String, maximumSize: Int) throws(MasterKeyError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .io(SystemError(operation: "open", path: path, code: code).description)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .io(SystemError(operation: "stat", path: path, code: errno).description)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .keyFileMalformed(path: path, reason: "it is not a regular file")
        }
        let permissions = UInt32(info.st_mode) & 0o777
        guard permissions & 0o077 == 0 else {
            throw .keyFileTooOpen(path: path, mode: permissions)
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .io(SystemError(operation: "read", path: path, code: code).description)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > maximumSize {
                throw .keyFileMalformed(path: path, reason: "it is larger than \(maximumSize) bytes")
            }
        }
        return bytes
    }

    /// Writes `contents` to `path` only if `path` does not exist, so that the file is never
    /// visible with a wider mode than `mode` nor with partial contents.
    ///
    /// The bytes go to a temporary sibling created with `O_EXCL` and `mode`, are fsynced, and the
    /// temporary is then hard-linked to `path` (`link(2)` fails rather than replace an existing
    /// file, so two processes racing to create the key cannot overwrite each other), and the
    /// directory is fsynced.
    ///
    /// - Returns: true when this call created the file, false when `path` existed already.
    static func createExclusively(_ path: String, contents: [UInt8], mode: mode_t = 0o600) throws(SystemError) -> Bool {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemError(operation: "create", path: temporary, code: errno) }
        defer { unlink(temporary) }
        var written = 0
        while written < contents.count {
            let count = contents.withUnsafeBytes { raw in
                write(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                throw SystemError(operation: "write", path: temporary, code: code)
            }
            written += count
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            throw SystemError(operation: "fsync", path: temporary, code: code)
        }
        close(fd)
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { return false }
            throw SystemError(operation: "link", path: path, code: code)
        }
        syncDirectory(of: path)
        return true
    }

    /// Creates an empty file at `path` with `mode` unless something exists there already.
    ///
    /// - Returns: true when this call created the file.
    @discardableResult
    static func createEmptyIfMissing(_ path: String, mode: mode_t = 0o600) throws(SystemError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return false }
            throw SystemError(operation: "create", path: path, code: code)
        }
        close(fd)
        syncDirectory(of: path)
        return true
    }

    /// Best-effort fsync of the directory holding `path`, so that a newly created entry survives
    /// a power loss.
    static func syncDirectory(of path: String) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
