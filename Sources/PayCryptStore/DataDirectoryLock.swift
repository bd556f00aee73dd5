#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive OS lock on a data directory, held for the life of the process: one SQLite store,
/// one serving process (README "Running several instances").
///
/// Two servers on one `--data-dir` would each answer from their own key cache, so a key stopped
/// or an alias moved through one would still be used by the other. The lock is `flock(2)` on the
/// file `paycrypt.lock` in the directory: the kernel drops it when the process exits, however it
/// exits (SIGKILL included), so a crash never leaves a stale lock behind. Readers that open the
/// store read-only (`paycrypt audit`) do not take it.
public final class DataDirectoryLock: Sendable {
    /// The lock file's name inside the data directory.
    public static let fileName = "paycrypt.lock"

    /// Why a lock could not be taken.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another live process holds the directory.
        case held(directory: String)
        /// A system call failed (the text names the call, the path and `errno`).
        case system(String)

        /// One line for the operator, naming the way to run several instances.
        public var description: String {
            switch self {
            case .held(let directory):
                return "the data directory \(directory) is in use by another paycrypt process; "
                    + "one SQLite store serves one process (use --store postgres://... to run several instances)"
            case .system(let text):
                return text
            }
        }
    }

    /// The locked directory.
    public let directory: String
    private let descriptor: Int32

    /// Takes the lock on `directory` (creating the directory with mode 0700 and the lock file with
    /// mode 0600 when missing), without waiting.
    ///
    /// - Parameter directory: the data directory.
    /// - Throws: ``Failure/held(directory:)`` when another process holds it, ``Failure/system(_:)``
    ///   when the directory or file cannot be created or opened.
    public init(directory: String) throws(Failure) {
        do {
            try SecureFiles.makeDirectory(directory)
        } catch {
            throw .system(error.description)
        }
        let path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .system(SecureFiles.SystemError(operation: "open", path: path, code: errno).description)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .held(directory: directory) }
            throw .system(SecureFiles.SystemError(operation: "lock", path: path, code: code).description)
        }
        self.directory = directory
        descriptor = fd
    }

    deinit {
        close(descriptor)  // closing the only descriptor releases the flock
    }
}
