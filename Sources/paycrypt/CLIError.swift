import ArgumentParser
import Foundation

/// Prints a one-line message naming the field and exits with `code`.
/// Exit codes: 1 = MAC verification failed, 2 = bad input.
func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("paycrypt: \(message)\n".utf8))
    exit(code)
}
