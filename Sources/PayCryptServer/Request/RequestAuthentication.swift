import HTTPTypes
import Hummingbird
import PayCryptModel
import PayCryptService

/// Who a request acts as: the account and region its operations run in, and the principal whose
/// policy applies (nil when authentication is off).
struct Caller: Sendable {
    var account: String
    var region: String
    var principal: Principal?
}

/// The authenticate step: SigV4 verification against the configured identities, or the configured
/// account when authentication is off (`--no-auth`).
struct RequestAuthenticator: Sendable {
    let accountId: String
    let defaultRegion: String
    let identities: Identities?
    let verifier: SigV4Verifier?

    init(options: ResponderOptions) {
        accountId = options.accountId
        defaultRegion = options.defaultRegion
        identities = options.identities
        verifier = options.identities.map { identities in SigV4Verifier(secretFor: { identities.identity($0)?.secretAccessKey }) }
    }

    /// Authenticates the request.
    ///
    /// - Throws: `AWSErrorResponse` with the SigV4 exception, `ServiceError` for a region that is
    ///   not a valid region name.
    func authenticate(_ request: APIRequest, body: [UInt8]) throws -> Caller {
        var caller: Caller
        if let identities, let verifier {
            switch verifier.verify(Self.signedRequest(request, body: body)) {
            case .failure(let f):
                throw AWSErrorResponse(AWSException(rawValue: f.code) ?? .invalidSignature, f.message)
            case .success(let verified):
                // paycrypt issues no session credentials, so a session token is never one it knows.
                guard verified.securityToken == nil, let identity = identities.identity(verified.accessKeyId) else {
                    throw AWSErrorResponse(.unrecognizedClient, "The security token included in the request is invalid.")
                }
                caller = Caller(account: identity.principal.account, region: verified.region, principal: identity.principal)
            }
        } else {
            caller = Caller(account: accountId, region: CredentialScope.region(authorization: request["authorization"]) ?? defaultRegion)
        }
        guard CredentialScope.isValidRegion(caller.region) else {
            throw ServiceError(.validation, "The region '\(RequestObserver.loggable(caller.region))' in the request's credential scope is not a valid region name.")
        }
        return caller
    }

    /// The request in the form the verifier reads: its header names are already in lower case,
    /// so the verifier lowercases nothing.
    static func signedRequest(_ request: APIRequest, body: [UInt8]) -> SigV4Request {
        SigV4Request(method: request.method, rawPath: request.path, rawQuery: request.query, headers: request.headers, body: body)
    }
}

extension HTTPField.Name {
    static let host = HTTPField.Name("Host")!
}
