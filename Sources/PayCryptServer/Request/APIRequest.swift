import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOHTTP1

/// An API request's head as the journey reads it: the method, the request target's path and query
/// as sent (still percent-encoded), and every header field in the order received with its name in
/// lower case. The connection's fast path (``APIChannelHandler``) makes it straight from the HTTP/1
/// decoder's head, without HTTPTypes' fields in between; Hummingbird's requests are converted.
struct APIRequest: Sendable {
    /// The method, e.g. `POST`.
    var method: String
    /// The path, still percent-encoded and without the query.
    var path: String
    /// The query (after `?`, still percent-encoded), or nil when the target had none.
    var query: String?
    /// Every header field in the order received, names in lower case. For a request converted from
    /// HTTPTypes, `Host` (which HTTPTypes keeps as the `:authority` pseudo-header) is one of them.
    var headers: [(name: String, value: String)]

    /// Creates a request head from its parts; `headers` must have lowercase names.
    init(method: String, path: String, query: String?, headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The head of an HTTP/1 request as the decoder read it. The target is split as Hummingbird's
    /// `URI` splits it, so both paths route and sign the same path and query.
    init(_ head: HTTPRequestHead) {
        let uri = URI(head.uri)
        method = head.method.rawValue
        path = uri.path
        query = uri.query
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            fields.append((FieldName.lowercased(name), value))
        }
        headers = fields
    }

    /// A Hummingbird request (everything the fast path passes on, and the whole API with
    /// `--no-fast-path`).
    init(_ request: Request) {
        method = request.method.rawValue
        path = request.uri.path
        query = request.uri.query
        // `canonicalName` is the lowercased name HTTPTypes keeps.
        var fields = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if !request.headers.contains(.host), let authority = request.head.authority {
            fields.append((name: "host", value: authority))
        }
        headers = fields
    }

    /// Whether a header with this lowercase name was sent.
    func contains(_ lowercasedName: String) -> Bool {
        headers.contains { FieldName.matches($0.name, lowercasedName) }
    }

    /// The values of the header with this lowercase name joined by `, `, as HTTPTypes' subscript
    /// joins them; nil when it was not sent.
    subscript(_ lowercasedName: String) -> String? {
        var joined: String?
        for field in headers where FieldName.matches(field.name, lowercasedName) {
            joined = joined.map { $0 + ", " + field.value } ?? field.value
        }
        return joined
    }

    /// Calls `body` with each value of the header with this lowercase name, in the order received.
    func forEachValue(_ lowercasedName: String, _ body: (String) throws -> Void) rethrows {
        for field in headers where FieldName.matches(field.name, lowercasedName) { try body(field.value) }
    }
}
