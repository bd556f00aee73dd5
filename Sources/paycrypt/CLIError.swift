import ArgumentParser
import Foundation
import PayCryptServer

/// The exit statuses of every paycrypt command (README "Exit codes").
enum ExitStatus {
    /// The operation answered no: a MAC that does not verify, an AWS error from `offline`, a failed `self-test`.
    static let refused: Int32 = 1
    /// Bad input: the command line parses but a value is refused (hex, JSON, a file, a setting).
    static let badInput: Int32 = 2
    /// The server's start-up self-test failed.
    static let selfTestFailed: Int32 = 3
    /// The master key does not fit the store (README "Configuration").
    static let masterKey: Int32 = 4
    /// The server cannot listen: the port is in use, or the address is refused.
    static let cannotListen: Int32 = 5
    /// The store cannot be used: another server holds the SQLite data directory, or the PostgreSQL
    /// store cannot be opened.
    static let storeUnavailable: Int32 = 6
    /// Usage error: the command line does not parse (unknown command or flag, missing argument, a
    /// value not of its type). Swift Argument Parser's own status, `EX_USAGE` of sysexits(3).
    static let usage: Int32 = 64
}

/// Prints a one-line message naming the field on stderr and exits with `code`
/// (default `ExitStatus.badInput`). `prefixed: false` leaves out the `paycrypt: ` prefix.
func fail(_ message: String, code: Int32 = ExitStatus.badInput, prefixed: Bool = true) -> Never {
    RequestLogHandler.flushPendingLines()  // the log lines before it come first
    FileHandle.standardError.write(Data("\(prefixed ? "paycrypt: " : "")\(message)\n".utf8))
    exit(code)
}
