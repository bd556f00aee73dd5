import ArgumentParser
import Foundation
import PayCryptStore

/// `paycrypt store`: operations on whole stores.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Operations on whole key stores.",
        subcommands: [StoreCopy.self]
    )
}

/// `paycrypt store copy --from-data-dir DIR --to postgres://...`: moves a SQLite store (keys,
/// aliases, tags, import tokens, the audit trail and the master-key check) into an empty
/// PostgreSQL database, so that one machine can grow into several instances (README "Running
/// several instances"). Key material is copied sealed, as it is: the instances that serve the
/// copy need the master key of the data directory in `PAYCRYPT_MASTER_KEY`.
struct StoreCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a SQLite store into an empty PostgreSQL store (refuses a non-empty target)."
    )

    @Option(help: "The data directory of the SQLite store to copy (no server may be running on it).")
    var fromDataDir: String
    @Option(help: "The target: postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=MODE]; must hold no paycrypt data.")
    var to: String

    func run() async throws {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: to)
        } catch {
            fail(error.description.replacingOccurrences(of: "--store", with: "--to"))
        }
        // The server must be stopped: a copy of a store that is changing could miss changes.
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(directory: fromDataDir)
        } catch .held {
            fail("--from-data-dir \(fromDataDir) is in use by a running paycrypt server: stop it before copying its store")
        } catch {
            fail("--from-data-dir \(fromDataDir): \(error.description)")
        }
        let contents: StoreContents
        do {
            let source = try SQLiteKeyStore(readOnlyDirectory: fromDataDir)
            contents = try await source.contents()
            try source.close()
        } catch {
            fail("--from-data-dir \(fromDataDir): \(error)")
        }
        do {
            let target = try await PostgresKeyStore(location: location)
            do {
                try await target.load(contents)
            } catch {
                await target.close()
                throw error
            }
            await target.close()
        } catch {
            fail("--to \(location.redacted): \(error)", code: 1)
        }
        withExtendedLifetime(lock) {}
        print("copied \(contents.keys.count) keys, \(contents.aliases.count) aliases, \(contents.importTokens.count) import tokens "
              + "and \(contents.audit.count) audit entries from \(fromDataDir) to \(location.redacted); "
              + "serve it with PAYCRYPT_MASTER_KEY set to the master key of \(fromDataDir)")
    }
}
