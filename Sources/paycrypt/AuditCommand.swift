import ArgumentParser
import Foundation
import PayCryptStore

/// `paycrypt audit`: prints the audit trail of a SQLite or PostgreSQL store, oldest entry first.
///
/// A SQLite store is opened read-only, so the command can run beside a server that has it open and
/// never creates or migrates a store. A PostgreSQL store (`--store`, `PAYCRYPT_STORE`) holds the
/// trail of every instance that shares it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit trail of a data directory (who called which operation, on what, with what result)."
    )

    @Option(help: "Directory of the SQLite key store. Default: $PAYCRYPT_DATA_DIR or ./paycrypt-data.")
    var dataDir: String?
    @Option(help: "A PostgreSQL store instead: postgres://USER:PASSWORD@HOST:PORT/DATABASE. Default: $PAYCRYPT_STORE.")
    var store: String?
    @Option(help: "Only the entries of this 12-digit account id.")
    var account: String?
    @Option(help: "Only entries whose sequence number is greater than this (to page on from a previous listing).")
    var after: Int64?
    @Option(help: "At most this many entries.")
    var limit = 100
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    func validate() throws {
        guard limit > 0 else { fail("--limit must be at least 1") }
    }

    func run() async throws {
        let entries: [AuditRecord]
        if let url = store ?? (dataDir == nil ? ProcessInfo.processInfo.environment["PAYCRYPT_STORE"] : nil) {
            let location: PostgresLocation
            do {
                location = try PostgresLocation(url: url)
            } catch {
                fail(error.description)
            }
            do {
                let postgres = try await PostgresKeyStore(location: location)
                do {
                    entries = try await postgres.listAudit(account: account, after: after, limit: limit)
                } catch {
                    await postgres.close()
                    throw error
                }
                await postgres.close()
            } catch {
                fail("--store \(location.redacted): \(error)")
            }
            try show(entries)
            return
        }
        let directory = dataDir ?? ProcessInfo.processInfo.environment["PAYCRYPT_DATA_DIR"] ?? "paycrypt-data"
        do {
            let store = try SQLiteKeyStore(readOnlyDirectory: directory)
            entries = try await store.listAudit(account: account, after: after, limit: limit)
            try store.close()
        } catch KeyStoreError.backend(let reason) {
            fail("--data-dir \(directory): \(reason)")
        }
        try show(entries)
    }

    /// Prints the entries as JSON lines or as a table.
    private func show(_ entries: [AuditRecord]) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for entry in entries {
                print(String(decoding: try encoder.encode(entry), as: UTF8.self))
            }
        } else {
            print(Self.table(entries))
        }
    }

    /// The entries as an aligned text table with a header row; times in UTC, ISO 8601.
    static func table(_ entries: [AuditRecord]) -> String {
        let header = ["SEQUENCE", "TIME (UTC)", "ACCOUNT", "REGION", "PRINCIPAL", "OPERATION", "RESOURCE", "RESULT", "REQUEST ID"]
        let rows = entries.map { entry in
            [String(entry.sequence), timestamp(entry.time), entry.account, entry.region, entry.principal, entry.operation,
             entry.resource ?? "-", entry.result, entry.requestId].map(printable)
        }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Seconds since 1970 as `2023-11-14T22:13:20.250Z`.
    static func timestamp(_ time: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }

    /// A cell with control characters replaced, so that a stored value cannot break the table.
    static func printable(_ cell: String) -> String {
        String(String.UnicodeScalarView(cell.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }
}
