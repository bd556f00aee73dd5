import Foundation
import PostgresNIO

/// Where a PostgreSQL store lives: a `postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=MODE]`
/// URL (the libpq URI form, PostgreSQL "Connection URIs"), parsed once at start.
///
/// The password is kept only to connect: ``redacted`` (used in every message and log line) shows
/// it as `***`.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 when the URL names none).
    public var port: Int
    /// The user to connect as.
    public var username: String
    /// The user's password, if any. Never printed.
    var password: String?
    /// The database (the user's name when the URL names none, as libpq does).
    public var database: String
    /// libpq's `sslmode`: `disable`, `prefer` (the default), `require`, `verify-ca` or `verify-full`.
    public var sslMode: String

    /// Why a store URL was refused; the text never contains the password.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// One line naming the problem.
        public var description: String
    }

    /// True when `text` asks for a PostgreSQL store (`postgres://` or `postgresql://`).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a store URL.
    ///
    /// - Parameter url: `postgres://USER[:PASSWORD]@HOST[:PORT][/DATABASE][?sslmode=MODE]`;
    ///   user and password may be percent-encoded.
    /// - Throws: ``Invalid`` naming the part that is wrong (never echoing the password).
    public init(url: String) throws(Invalid) {
        guard Self.isPostgresURL(url), let components = URLComponents(string: url) else {
            throw Invalid(description: "--store must be a URL postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Invalid(description: "--store \(Self.redact(url)): the URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Invalid(description: "--store \(Self.redact(url)): the URL names no user")
        }
        self.host = host
        port = components.port ?? 5432
        username = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
                guard let value = item.value, modes.contains(value) else {
                    throw Invalid(description: "--store \(Self.redact(url)): sslmode must be one of \(modes.joined(separator: ", "))")
                }
                sslMode = value == "allow" ? "prefer" : value
            default:
                throw Invalid(description: "--store \(Self.redact(url)): unknown parameter \(item.name) (only sslmode is read)")
            }
        }
    }

    /// The URL with the password replaced by `***`: the only form that is ever printed.
    public var redacted: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
            + (sslMode == "prefer" ? "" : "?sslmode=\(sslMode)")
    }

    /// ``redacted``.
    public var description: String { redacted }

    /// PostgresNIO's client configuration for this location.
    func clientConfiguration() -> PostgresClient.Configuration {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable":
            tls = .disable
        case "require":
            // libpq's `require` encrypts without checking the certificate.
            tlsConfiguration.certificateVerification = .none
            tls = .require(tlsConfiguration)
        case "verify-ca":
            tlsConfiguration.certificateVerification = .noHostnameVerification
            tls = .require(tlsConfiguration)
        case "verify-full":
            tls = .require(tlsConfiguration)
        default:
            tlsConfiguration.certificateVerification = .none
            tls = .prefer(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 10
        return configuration
    }

    /// Best-effort redaction of a URL that did not parse: everything between `://` and `@` after
    /// the first `:` is hidden.
    static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", options: .backwards),
              scheme.upperBound <= at.lowerBound else { return url.contains("@") ? "(unreadable URL)" : url }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at.lowerBound...])
    }
}
